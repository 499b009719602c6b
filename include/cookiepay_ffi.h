typedef struct cookiepay_client cookiepay_client;

struct cookiepay_client *cookiepay_client_new(const char *config_json, char **error_json);

void cookiepay_client_free(struct cookiepay_client *client);

char *cookiepay_token(struct cookiepay_client *client, const char *request_json);

char *cookiepay_ready(struct cookiepay_client *client, const char *request_json);

char *cookiepay_decrypt(struct cookiepay_client *client, const char *request_json);

char *cookiepay_paycert(struct cookiepay_client *client, const char *request_json);

char *cookiepay_verify(struct cookiepay_client *client, const char *request_json);

char *cookiepay_parse_return(const char *form_body);

void cookiepay_string_free(char *s);

const char *cookiepay_version(void);
