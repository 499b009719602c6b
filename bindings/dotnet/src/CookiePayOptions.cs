using System;
using System.Collections.Generic;

namespace CookiePay
{
    /// <summary>Settings of a client (README "Config"). Unset properties take the library's defaults.</summary>
    public sealed class CookiePayOptions
    {
        /// <summary>"sandbox" or "live".</summary>
        public string Env { get; set; }
        /// <summary>Instead of / overriding Env, e.g. a local cookiepay-sandbox.</summary>
        public string BaseUrl { get; set; }
        /// <summary>The 연동 id of one credential pair.</summary>
        public string ApiId { get; set; }
        /// <summary>The 연동 key: a secret, never logged by the library.</summary>
        public string ApiKey { get; set; }
        public int? ConnectTimeoutMs { get; set; }
        public int? TimeoutMs { get; set; }
        /// <summary>An extra trust anchor (PEM), e.g. a TLS-inspecting proxy's CA.</summary>
        public string CaCertPem { get; set; }
        public int? MaxRetries { get; set; }
        public int? RetryBaseDelayMs { get; set; }
        public int? RetryMaxDelayMs { get; set; }
        /// <summary>False gives this client its own connection pool and TOKEN cache; by default clients
        /// with the same settings in one process share them.</summary>
        public bool? Shared { get; set; }
        /// <summary>Gets one record per HTTP exchange, never a secret (README "Logging").</summary>
        public Action<IDictionary<string, object>> Logger { get; set; }

        internal Dictionary<string, object> ToConfig()
        {
            var config = new Dictionary<string, object>(StringComparer.Ordinal);
            if (Env != null) config["env"] = Env;
            if (BaseUrl != null) config["base_url"] = BaseUrl;
            config["api_id"] = ApiId;
            config["api_key"] = ApiKey;
            if (ConnectTimeoutMs.HasValue) config["connect_timeout_ms"] = ConnectTimeoutMs.Value;
            if (TimeoutMs.HasValue) config["timeout_ms"] = TimeoutMs.Value;
            if (CaCertPem != null) config["ca_cert_pem"] = CaCertPem;
            if (MaxRetries.HasValue) config["max_retries"] = MaxRetries.Value;
            if (RetryBaseDelayMs.HasValue) config["retry_base_delay_ms"] = RetryBaseDelayMs.Value;
            if (RetryMaxDelayMs.HasValue) config["retry_max_delay_ms"] = RetryMaxDelayMs.Value;
            if (Shared.HasValue) config["shared"] = Shared.Value;
            return config;
        }

        public override string ToString()
        {
            return "CookiePayOptions(Env=" + Env + ", BaseUrl=" + BaseUrl + ", ApiId=" + ApiId + ", ApiKey=***)";
        }
    }
}
