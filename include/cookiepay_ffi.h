typedef struct cookiepay_client cookiepay_client;

typedef void (*cookiepay_observer)(const char *record_json, void *user_data);

struct cookiepay_client *cookiepay_client_new(const char *config_json, char **error_json);

struct cookiepay_client *cookiepay_client_new_observed(const char *config_json, cookiepay_observer observer, void *user_data, char **error_json);

void cookiepay_client_free(struct cookiepay_client *client);

char *cookiepay_token(struct cookiepay_client *client, const char *request_json);

char *cookiepay_ready(struct cookiepay_client *client, const char *request_json);

char *cookiepay_decrypt(struct cookiepay_client *client, const char *request_json);

char *cookiepay_paycert(struct cookiepay_client *client, const char *request_json);

char *cookiepay_verify(struct cookiepay_client *client, const char *request_json);

char *cookiepay_billkeygen(struct cookiepay_client *client, const char *request_json);

char *cookiepay_recurring_charge(struct cookiepay_client *client, const char *request_json);

char *cookiepay_schedule_cancel(struct cookiepay_client *client, const char *request_json);

char *cookiepay_billkey_delete(struct cookiepay_client *client, const char *request_json);

char *cookiepay_cancel(struct cookiepay_client *client, const char *request_json);

char *cookiepay_paysearch(struct cookiepay_client *client, const char *request_json);

char *cookiepay_receipt_url(struct cookiepay_client *client, const char *request_json);

char *cookiepay_request(struct cookiepay_client *client, const char *request_json);

char *cookiepay_confirm_noti(struct cookiepay_client *client, const char *request_json);

char *cookiepay_parse_return(const char *form_body);

char *cookiepay_parse_return_len(const char *form_body, size_t len);

char *cookiepay_parse_noti(const char *body);

void cookiepay_string_free(char *s);

unsigned int cookiepay_abi_version(void);

const char *cookiepay_version(void);
