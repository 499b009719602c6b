<?php

namespace CookiePay\Tests\Support;

use PhpParser\Lexer;
use PhpParser\Node;
use PhpParser\NodeTraverser;
use PhpParser\NodeVisitorAbstract;
use PhpParser\ParserFactory;

/**
 * Does PHP code run on PHP 7.4? Only PHP 8 is installed here, so the code is parsed (nikic/php-parser,
 * Debian's php-parser) and every construct and function newer than 7.4 is named with its line.
 *
 * An attribute alone on its line is allowed: PHP 7.4 reads `#[...]` as a comment (the binding marks
 * sensitive parameters that way); one sharing its line with code would comment the code out.
 */
final class Php74Check extends NodeVisitorAbstract
{
    /** Functions PHP 7.4 does not have. */
    const NEWER_FUNCTIONS = [
        'str_contains', 'str_starts_with', 'str_ends_with', 'fdiv', 'get_debug_type', 'get_resource_id',
        'preg_last_error_msg', 'array_is_list', 'enum_exists', 'ini_parse_quantity', 'memory_reset_peak_usage',
        'curl_upkeep', 'openssl_cipher_key_length', 'libxml_get_external_entity_loader', 'json_validate',
        'mb_str_pad', 'str_increment', 'str_decrement', 'stream_context_set_options', 'array_find', 'array_find_key',
        'array_any', 'array_all', 'mb_trim', 'mb_ltrim', 'mb_rtrim', 'mb_ucfirst', 'mb_lcfirst',
        'http_get_last_response_headers', 'http_clear_last_response_headers', 'fpow', 'mysqli_execute_query',
    ];

    /** Classes PHP 7.4 does not have (used in code, not in docblocks). */
    const NEWER_CLASSES = [
        'stringable', 'valueerror', 'unhandledmatcherror', 'weakmap', 'phptoken', 'attribute', 'returntypewillchange',
        'allowdynamicproperties', 'sensitiveparametervalue', 'unitenum', 'backedenum', 'fiber', 'fibererror',
        'curlhandle', 'curlmultihandle', 'curlsharehandle', 'override', 'deprecated',
    ];

    /** @var string */
    private $code = '';
    /** @var string */
    private $file = '';
    /** @var array tokens of the file, for what the tree does not keep (trailing commas) */
    private $tokens = [];
    /** @var string[] */
    private $problems = [];

    /**
     * @return string[] "file:line: what", empty when the code is PHP 7.4
     */
    public static function check(string $code, string $file): array
    {
        $lexer = new Lexer\Emulative(['usedAttributes' => ['startLine', 'startTokenPos', 'endTokenPos', 'startFilePos', 'endFilePos']]);
        $parser = (new ParserFactory())->create(ParserFactory::PREFER_PHP7, $lexer);
        try {
            $ast = $parser->parse($code);
        } catch (\PhpParser\Error $e) {
            return [$file . ': does not parse: ' . $e->getMessage()];
        }
        $visitor = new self();
        $visitor->code = $code;
        $visitor->file = $file;
        $visitor->tokens = $lexer->getTokens();
        $traverser = new NodeTraverser();
        $traverser->addVisitor($visitor);
        $traverser->traverse($ast === null ? [] : $ast);
        return $visitor->problems;
    }

    public function enterNode(Node $node)
    {
        if ($node instanceof Node\Expr\Match_) {
            $this->flag($node, 'match (PHP 8.0)');
        } elseif ($node instanceof Node\Expr\NullsafeMethodCall || $node instanceof Node\Expr\NullsafePropertyFetch) {
            $this->flag($node, 'nullsafe operator ?-> (PHP 8.0)');
        } elseif ($node instanceof Node\Arg && $node->name !== null) {
            $this->flag($node, 'named argument (PHP 8.0)');
        } elseif ($node instanceof Node\UnionType) {
            $this->flag($node, 'union type (PHP 8.0)');
        } elseif ($node instanceof Node\IntersectionType) {
            $this->flag($node, 'intersection type (PHP 8.1)');
        } elseif ($node instanceof Node\AttributeGroup && !$this->aloneOnItsLine($node)) {
            $this->flag($node, 'attribute sharing its line with code (PHP 8.0; 7.4 reads the rest of the line as a comment)');
        } elseif ($node instanceof Node\Stmt\Enum_) {
            $this->flag($node, 'enum (PHP 8.1)');
        } elseif ($node instanceof Node\Expr\Throw_) {
            $this->flag($node, 'throw expression (PHP 8.0)');
        } elseif ($node instanceof Node\Expr\CallLike && $node->isFirstClassCallable()) {
            $this->flag($node, 'first-class callable syntax (PHP 8.1)');
        } elseif ($node instanceof Node\Stmt\Catch_ && $node->var === null) {
            $this->flag($node, 'catch without a variable (PHP 8.0)');
        } elseif ($node instanceof Node\Expr\ClassConstFetch && $node->class instanceof Node\Expr) {
            $this->flag($node, '$object::class (PHP 8.0)');
        }
        if ($node instanceof Node\Param) {
            if ($node->flags !== 0) {
                $this->flag($node, 'constructor property promotion or readonly (PHP 8.0/8.1)');
            }
            if ($node->default !== null && $this->holdsNew($node->default)) {
                $this->flag($node, 'new in an initializer (PHP 8.1)');
            }
            $this->checkType($node->type, $node);
        }
        if ($node instanceof Node\Stmt\Property) {
            if ($node->flags & Node\Stmt\Class_::MODIFIER_READONLY) {
                $this->flag($node, 'readonly property (PHP 8.1)');
            }
            $this->checkType($node->type, $node);
        }
        if ($node instanceof Node\Stmt\Class_ && ($node->flags & Node\Stmt\Class_::MODIFIER_READONLY)) {
            $this->flag($node, 'readonly class (PHP 8.2)');
        }
        if ($node instanceof Node\FunctionLike) {
            $type = $node->getReturnType();
            $name = $type instanceof Node\Identifier || $type instanceof Node\Name ? strtolower($type->toString()) : '';
            if ($name === 'static' || $name === 'never') {
                $this->flag($node, $name . ' return type (PHP 8.0/8.1)');
            } else {
                $this->checkType($type, $node);
            }
            $this->checkTrailingComma($node->getParams(), $node, 'parameter list');
            if ($node instanceof Node\Expr\Closure) {
                $this->checkTrailingComma($node->uses, $node, 'closure use list');
            }
        }
        if ($node instanceof Node\Stmt\StaticVar && $node->default !== null && $this->holdsNew($node->default)) {
            $this->flag($node, 'new in an initializer (PHP 8.1)');
        }
        if ($node instanceof Node\Const_ && $this->holdsNew($node->value)) {
            $this->flag($node, 'new in an initializer (PHP 8.1)');
        }
        if ($node instanceof Node\Expr\FuncCall && $node->name instanceof Node\Name
            && in_array(strtolower($node->name->getLast()), self::NEWER_FUNCTIONS, true)) {
            $this->flag($node, $node->name->getLast() . '() (PHP 8+)');
        }
        foreach ([Node\Expr\New_::class, Node\Expr\Instanceof_::class, Node\Expr\StaticCall::class] as $kind) {
            if ($node instanceof $kind && $node->class instanceof Node\Name
                && in_array(strtolower($node->class->getLast()), self::NEWER_CLASSES, true)) {
                $this->flag($node, 'class ' . $node->class->getLast() . ' (PHP 8+)');
            }
        }
        if ($node instanceof Node\Stmt\Catch_) {
            foreach ($node->types as $type) {
                if (in_array(strtolower($type->getLast()), self::NEWER_CLASSES, true)) {
                    $this->flag($node, 'class ' . $type->getLast() . ' (PHP 8+)');
                }
            }
        }
        return null;
    }

    /** @param Node|null $type */
    private function checkType($type, Node $at): void
    {
        if ($type instanceof Node\NullableType) {
            $type = $type->type;
        }
        if ($type instanceof Node\Identifier && in_array($type->toLowerString(), ['mixed', 'never', 'null', 'false', 'true'], true)) {
            $this->flag($at, 'type ' . $type->toLowerString() . ' (PHP 8+)');
        }
    }

    private function holdsNew(Node $expr): bool
    {
        $finder = new \PhpParser\NodeFinder();
        return $finder->findFirstInstanceOf([$expr], Node\Expr\New_::class) !== null;
    }

    /** A trailing comma before ")" in a declaration's list (PHP 8.0; calls and arrays are fine in 7.4). */
    private function checkTrailingComma(array $items, Node $at, string $what): void
    {
        if ($items === []) {
            return;
        }
        $last = end($items);
        $i = $last->getAttribute('endTokenPos');
        if (!is_int($i)) {
            return;
        }
        $next = $this->nextToken($i + 1);
        if ($next !== null && $this->tokens[$next] === ',') {
            $after = $this->nextToken($next + 1);
            if ($after !== null && $this->tokens[$after] === ')') {
                $this->flag($at, 'trailing comma in a ' . $what . ' (PHP 8.0)');
            }
        }
    }

    private function nextToken(int $i): ?int
    {
        for ($n = count($this->tokens); $i < $n; $i++) {
            $t = $this->tokens[$i];
            if (is_array($t) && in_array($t[0], [T_WHITESPACE, T_COMMENT, T_DOC_COMMENT], true)) {
                continue;
            }
            return $i;
        }
        return null;
    }

    private function aloneOnItsLine(Node\AttributeGroup $node): bool
    {
        $start = $node->getAttribute('startFilePos');
        $end = $node->getAttribute('endFilePos');
        $lineStart = strrpos(substr($this->code, 0, $start), "\n");
        $lineStart = $lineStart === false ? 0 : $lineStart + 1;
        $lineEnd = strpos($this->code, "\n", $end);
        $lineEnd = $lineEnd === false ? strlen($this->code) : $lineEnd;
        $attribute = substr($this->code, $start, $end - $start + 1);
        $rest = substr($this->code, $lineStart, $start - $lineStart) . substr($this->code, $end + 1, $lineEnd - $end - 1);
        return strpos($attribute, "\n") === false && trim($rest) === '';
    }

    private function flag(Node $node, string $what): void
    {
        $this->problems[] = $this->file . ':' . $node->getStartLine() . ': ' . $what;
    }
}
