<?php

namespace CookiePay\Exception;

/** Kind `validation`: the manual's rules; every failing field at once, nothing was sent. */
class ValidationException extends CookiePayException
{
    /** @return array list of ['field' => ..., 'rule' => ..., 'message' => ...] */
    public function getFields(): array
    {
        $fields = $this->field('fields', []);
        return is_array($fields) ? $fields : [];
    }

    /** @return string[] the names of the failing fields */
    public function getFieldNames(): array
    {
        return array_values(array_unique(array_column($this->getFields(), 'field')));
    }
}
