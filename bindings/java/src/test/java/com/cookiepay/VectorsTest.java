package com.cookiepay;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.HttpURLConnection;
import java.net.URL;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Replays the contract vectors ({@code tests/vectors/*.json}, format in its README) through the public
 * {@code com.cookiepay} API against cookiepay-sandbox in replay mode, with the rules of the reference
 * runner {@code tests/vectors.rs}. Each step calls the typed method named by its {@code call}; a thrown
 * {@link CookiePayException} is turned back into the error object from its class and its getters only,
 * so a field of the contract without a getter fails here.
 */
class VectorsTest {
    private static final String IMPLEMENTATION = "java";
    private static final List<String> LOCAL_CALLS = Arrays.asList("parse_return", "parse_noti", "new_client");

    @RegisterExtension
    static final SandboxFixture fx = new SandboxFixture();

    @AfterAll
    static void disarm() {
        control("DELETE", null);
    }

    @Test
    void theMatcherCanFail() {
        assertNull(subset(Json.parse("{\"a\":1}"), true, Json.parse("{\"a\":1.0,\"b\":2}"), "$"));
        assertNotNull(subset(Json.parse("{\"a\":1}"), true, Json.parse("{\"a\":\"1\"}"), "$"));
        assertNotNull(subset(Json.parse("{\"a\":{\"$absent\":true}}"), true, Json.parse("{\"a\":null}"), "$"));
        assertNull(subset(Json.parse("{\"a\":{\"$absent\":true}}"), true, Json.parse("{}"), "$"));
        assertNotNull(subset(Json.parse("{\"a\":{\"$any\":true}}"), true, Json.parse("{}"), "$"));
        assertNotNull(subset(Json.parse("[1]"), true, Json.parse("[1,2]"), "$"));
    }

    // ---- loading ----

    private static Path vectorDir() {
        // Maven runs the tests in bindings/java; look upwards for the repository's tests/vectors.
        for (Path dir = Paths.get("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("tests").resolve("vectors");
            if (Files.isRegularFile(candidate.resolve("README.md"))) {
                return candidate;
            }
        }
        throw new AssertionError("tests/vectors not found above " + Paths.get("").toAbsolutePath());
    }

    @TestFactory
    Stream<DynamicTest> everyVectorReplays() throws IOException {
        List<Path> files;
        try (Stream<Path> list = Files.list(vectorDir())) {
            files = list.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().collect(Collectors.toList());
        }
        if (files.isEmpty()) {
            fail("no vector files in tests/vectors");
        }
        List<DynamicTest> tests = new ArrayList<DynamicTest>();
        for (Path path : files) {
            String file = path.getFileName().toString();
            Map<String, Object> doc = Json.asMap(Json.parse(new String(Files.readAllBytes(path), StandardCharsets.UTF_8)));
            for (Object item : Json.asList(doc.get("vectors"))) {
                Map<String, Object> vector = Json.asMap(item);
                String name = String.valueOf(vector.get("name"));
                tests.add(DynamicTest.dynamicTest(name, () -> {
                    String problem = replay(vector);
                    if (problem != null) {
                        fail(IMPLEMENTATION + " failed " + name + " (" + file + "): " + problem);
                    }
                }));
            }
        }
        return tests.stream();
    }

    // ---- one vector ----

    private static String replay(Map<String, Object> v) {
        Object gateway = v.containsKey("gateway") ? v.get("gateway") : Collections.emptyList();
        control("POST", Collections.singletonMap("gateway", gateway));
        List<String> texts = new ArrayList<String>();
        returnedTexts = texts;
        String problem = runSteps(v, texts);
        if (problem != null) {
            return problem;
        }
        Map<String, Object> record = control("GET", null);
        if (v.containsKey("sent")) {
            List<Object> got = new ArrayList<Object>();
            for (Object r : Json.asList(record.get("requests"))) {
                got.add(asSent(Json.asMap(r)));
            }
            problem = subset(v.get("sent"), true, got, "sent");
            if (problem != null) {
                return problem;
            }
            Object remaining = record.get("remaining");
            if (!(remaining instanceof Number) || ((Number) remaining).longValue() != 0) {
                return Json.write(remaining) + " scripted answers were never asked for";
            }
        }
        for (Object secret : Json.asList(v.get("secrets"))) {
            for (String text : texts) {
                if (text.contains((String) secret)) {
                    return "the secret \"" + secret + "\" appears in a result: " + cut(text);
                }
            }
        }
        return null;
    }

    private static String runSteps(Map<String, Object> v, List<String> texts) {
        Map<String, Object> config = new LinkedHashMap<String, Object>(Json.asMap(v.get("config")));
        config.put("base_url", fx.sandbox().url);
        config.put("shared", Boolean.FALSE);
        List<Object> steps = Json.asList(v.get("steps"));
        CookiePayClient client = null;
        try {
            if (steps.stream().anyMatch(s -> !LOCAL_CALLS.contains(Json.asMap(s).get("call")))) {
                try {
                    client = new CookiePayClient(config);
                } catch (CookiePayException e) {
                    return "the config was refused: " + Json.write(errorObject(e));
                }
            }
            for (int i = 0; i < steps.size(); i++) {
                Map<String, Object> step = Json.asMap(steps.get(i));
                String call = (String) step.get("call");
                Map<String, Object> request = Json.asMap(step.get("request"));
                String at = "steps[" + i + "] (" + call + ")";
                Map<String, Object> got = new LinkedHashMap<String, Object>();
                try {
                    Object data = invoke(client, config, call, request);
                    got.put("ok", Boolean.TRUE);
                    got.put("data", data);
                    texts.add(Json.write(got));
                } catch (CookiePayException e) {
                    Map<String, Object> error = errorObject(e);
                    got.put("ok", Boolean.FALSE);
                    got.put("error", error);
                    // Everything the exception carries, not only what the contract names.
                    texts.add(Json.write(got));
                    texts.add(String.valueOf(e.getMessage()));
                    texts.add(String.valueOf(e.getRawJson()));
                    texts.add(Json.write(e.getError()));
                    StringWriter trace = new StringWriter();
                    e.printStackTrace(new PrintWriter(trace));
                    texts.add(trace.toString());
                    String missing = unexposedField(e, error);
                    if (missing != null) {
                        return at + ": " + missing;
                    }
                }
                String diff = subset(step.get("expect"), true, got, at);
                if (diff != null) {
                    return diff + "\n    got: " + cut(Json.write(got));
                }
            }
            return null;
        } finally {
            if (client != null) {
                client.close();
            }
        }
    }

    // ---- the typed API, by call name ----

    /** The data of a successful call, as the typed API returned it. */
    private static Object invoke(CookiePayClient client, Map<String, Object> config, String call, Map<String, Object> r) {
        switch (call) {
            case "parse_return":
                return returned(CookiePayClient.parseReturn(body(r)));
            case "parse_noti":
                return returned(CookiePayClient.parseNoti(body(r)));
            case "new_client":
                new CookiePayClient(config).close();
                return Collections.emptyMap();
            default:
                break;
        }
        if (!fits(call, r)) {
            System.out.println(IMPLEMENTATION + " vectors: " + call + " " + Json.write(r) + " does not fit the typed signature; sent as is");
            return raw(client, call, r);
        }
        switch (call) {
            case "token":
                return returned(client.token(Boolean.TRUE.equals(r.get("force_refresh"))));
            case "ready":
                return returned(client.ready(r));
            case "decrypt":
                return returned(client.decrypt(str(r, "ENC_DATA")));
            case "paycert":
                return returned(client.paycert(str(r, "tid")));
            case "verify":
                return returned(client.verify(str(r, "tid"), Json.asMap(r.get("expected"))));
            case "billkeygen":
                return returned(client.billkeygen(r));
            case "recurring_charge":
                return returned(client.recurringCharge(str(r, "RESERVE_ID"), str(r, "BILLKEY")));
            case "schedule_cancel":
                return returned(client.scheduleCancel(str(r, "RESERVE_ID")));
            case "billkey_delete":
                return returned(client.billkeyDelete(str(r, "BILLKEY")));
            case "cancel":
                return returned(client.cancel(str(r, "tid"), str(r, "reason"), (Long) r.get("amount"),
                        str(r, "bank"), str(r, "account_no"), str(r, "account_name")));
            case "paysearch":
                if (r.containsKey("tid")) {
                    return returned(client.paysearch(str(r, "tid")));
                }
                return returned(client.paysearch(str(r, "from"), str(r, "to")));
            case "receipt_url":
                return Collections.singletonMap("url", client.receiptUrl(str(r, "tid")));
            case "request":
                List<Object> auth = Json.asList(r.get("auth"));
                return returned(client.request(str(r, "path"), Json.asMap(r.get("body")), auth.toArray(new String[0])));
            case "confirm_noti":
                return returned(client.confirmNoti(str(r, "body")));
            default:
                throw new IllegalArgumentException("unknown call " + call);
        }
    }

    /** Whether the typed method of {@code call} carries {@code r} exactly: only its own keys, each of a type its parameter holds. */
    private static boolean fits(String call, Map<String, Object> r) {
        switch (call) {
            case "token":
                return only(r, "force_refresh") && (!r.containsKey("force_refresh") || r.get("force_refresh") instanceof Boolean);
            case "ready":
            case "billkeygen":
                return true;
            case "decrypt":
                return only(r, "ENC_DATA") && text(r, "ENC_DATA");
            case "paycert":
            case "receipt_url":
                return only(r, "tid") && text(r, "tid");
            case "verify":
                return only(r, "tid", "expected") && text(r, "tid") && r.get("expected") instanceof Map;
            case "recurring_charge":
                return only(r, "RESERVE_ID", "BILLKEY") && text(r, "RESERVE_ID") && text(r, "BILLKEY");
            case "schedule_cancel":
                return only(r, "RESERVE_ID") && text(r, "RESERVE_ID");
            case "billkey_delete":
                return only(r, "BILLKEY") && text(r, "BILLKEY");
            case "cancel":
                return only(r, "tid", "reason", "amount", "bank", "account_no", "account_name")
                        && text(r, "tid") && text(r, "reason") && text(r, "bank") && text(r, "account_no")
                        && text(r, "account_name") && (!r.containsKey("amount") || r.get("amount") instanceof Long);
            case "paysearch":
                return r.containsKey("tid") ? only(r, "tid") && text(r, "tid")
                        : only(r, "from", "to") && text(r, "from") && text(r, "to");
            case "request":
                // request() always sends body and auth: {} and [] when not given.
                return only(r, "path", "body", "auth") && text(r, "path")
                        && (!r.containsKey("body") || r.get("body") instanceof Map)
                        && (!r.containsKey("auth") || r.get("auth") instanceof List)
                        && Json.asList(r.get("auth")).stream().allMatch(a -> a instanceof String);
            case "confirm_noti":
                return only(r, "body") && text(r, "body");
            default:
                return false;
        }
    }

    private static boolean only(Map<String, Object> r, String... keys) {
        return Arrays.asList(keys).containsAll(r.keySet());
    }

    private static boolean text(Map<String, Object> r, String key) {
        return !r.containsKey(key) || r.get(key) instanceof String;
    }

    /**
     * A request no typed signature can carry (e.g. a list where a String goes) still goes to the library
     * as it is, through the client's own marshalling, so the error mapping is checked too.
     */
    private static Object raw(CookiePayClient client, String call, Map<String, Object> r) {
        try {
            Field op = Native.class.getDeclaredField("OP_" + call.toUpperCase(java.util.Locale.ROOT));
            op.setAccessible(true);
            Method method = CookiePayClient.class.getDeclaredMethod("call", int.class, Map.class);
            method.setAccessible(true);
            return returned((CookiePayResult) method.invoke(client, op.getInt(null), r));
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException) {
                throw (RuntimeException) e.getCause();
            }
            throw new AssertionError(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("the vector runner's raw path needs Native.OP_* and CookiePayClient.call(int, Map)", e);
        }
    }

    /** What every step returned, for the secrets check: the result's data, its raw envelope and its toString. */
    private static List<String> returnedTexts = new ArrayList<String>();

    private static Map<String, Object> returned(CookiePayResult result) {
        returnedTexts.add(String.valueOf(result.getRawJson()));
        returnedTexts.add(result.toString());
        return result.getData();
    }

    private static byte[] body(Map<String, Object> r) {
        Object body = r.get("body");
        return (body instanceof String ? (String) body : "").getBytes(StandardCharsets.UTF_8);
    }

    private static String str(Map<String, Object> r, String key) {
        return (String) r.get(key);
    }

    // ---- the exception back into the error object ----

    /** kind from the class; every other field from the exception's getters. */
    static Map<String, Object> errorObject(CookiePayException e) {
        Map<String, Object> o = new LinkedHashMap<String, Object>();
        o.put("kind", kindOf(e));
        o.put("message", e.getMessage());
        put(o, "outcome", e.getOutcome());
        if (e instanceof CookiePayValidationException) {
            o.put("fields", ((CookiePayValidationException) e).getFields());
        }
        if (e instanceof CookiePayApiException) {
            CookiePayApiException api = (CookiePayApiException) e;
            put(o, "code", api.getCode());
            put(o, "api_message", api.getApiMessage());
            put(o, "layer", api.getLayer());
            put(o, "hint", api.getHint());
            if (!api.getResponse().isEmpty()) {
                o.put("response", api.getResponse());
            }
        }
        if (e instanceof CookiePayVerificationFailedException) {
            CookiePayVerificationFailedException verification = (CookiePayVerificationFailedException) e;
            o.put("mismatches", verification.getMismatches());
            if (!verification.getPayment().isEmpty()) {
                o.put("payment", verification.getPayment());
            }
        }
        if (e instanceof CookiePayNetworkException) {
            put(o, "phase", ((CookiePayNetworkException) e).getPhase());
        }
        if (e instanceof CookiePayHttpException) {
            CookiePayHttpException http = (CookiePayHttpException) e;
            o.put("status", Long.valueOf(http.getStatus()));
            put(o, "content_type", http.getContentType());
            put(o, "excerpt", http.getExcerpt());
        }
        if (e instanceof CookiePayDecodeException) {
            put(o, "excerpt", ((CookiePayDecodeException) e).getExcerpt());
        }
        if (e instanceof CookiePayNotiNotConfirmedException) {
            CookiePayNotiNotConfirmedException noti = (CookiePayNotiNotConfirmedException) e;
            put(o, "reason", noti.getReason());
            o.put("mismatches", noti.getMismatches());
            put(o, "code", noti.getCode());
        }
        return o;
    }

    private static String kindOf(CookiePayException e) {
        if (e instanceof CookiePayInvalidArgumentException) {
            return "invalid_argument";
        } else if (e instanceof CookiePayValidationException) {
            return "validation";
        } else if (e instanceof CookiePayApiException) {
            return "api";
        } else if (e instanceof CookiePayVerificationFailedException) {
            return "verification_failed";
        } else if (e instanceof CookiePayNetworkException) {
            return "network";
        } else if (e instanceof CookiePayTimeoutException) {
            return "timeout";
        } else if (e instanceof CookiePayHttpException) {
            return "http";
        } else if (e instanceof CookiePayDecodeException) {
            return "decode";
        } else if (e instanceof CookiePayInternalException) {
            return "internal";
        } else if (e instanceof CookiePayNotiNotConfirmedException) {
            return "noti_not_confirmed";
        }
        return e.getKind();
    }

    private static void put(Map<String, Object> o, String key, Object value) {
        if (value != null) {
            o.put(key, value);
        }
    }

    /** A field of the library's error object that no getter of the exception gives back. */
    private static String unexposedField(CookiePayException e, Map<String, Object> rebuilt) {
        for (Map.Entry<String, Object> field : e.getError().entrySet()) {
            if (field.getValue() != null && !rebuilt.containsKey(field.getKey())) {
                return e.getClass().getSimpleName() + " has no getter for the error field \"" + field.getKey()
                        + "\" (" + cut(Json.write(field.getValue())) + ")";
            }
        }
        return null;
    }

    // ---- the replay server ----

    private static Map<String, Object> control(String method, Object body) {
        try {
            HttpURLConnection http = (HttpURLConnection) new URL(fx.sandbox().url + "/_sandbox/replay").openConnection();
            http.setRequestMethod(method);
            if (body != null) {
                byte[] bytes = Json.write(body).getBytes(StandardCharsets.UTF_8);
                http.setDoOutput(true);
                http.setRequestProperty("Content-Type", "application/json");
                try (OutputStream out = http.getOutputStream()) {
                    out.write(bytes);
                }
            }
            int status = http.getResponseCode();
            String text;
            try (InputStream in = status < 400 ? http.getInputStream() : http.getErrorStream()) {
                text = in == null ? "" : readAll(in);
            }
            if (status >= 300) {
                throw new AssertionError("replay control " + method + ": " + status + " " + text);
            }
            return Json.asMap(Json.parse(text));
        } catch (IOException e) {
            throw new AssertionError("replay control " + method + " failed", e);
        }
    }

    private static String readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        for (int n; (n = in.read(buffer)) > 0;) {
            out.write(buffer, 0, n);
        }
        return new String(out.toByteArray(), StandardCharsets.UTF_8);
    }

    /** A recorded request in the shape {@code sent} matches: path, method, headers, and the body parsed. */
    private static Map<String, Object> asSent(Map<String, Object> recorded) {
        Map<String, Object> r = new LinkedHashMap<String, Object>(recorded);
        String body = recorded.get("body") instanceof String ? (String) recorded.get("body") : "";
        try {
            r.put("json", Json.parse(body));
        } catch (IllegalArgumentException notJson) {
            // Not JSON: only "form" applies.
        }
        Map<String, Object> form = new LinkedHashMap<String, Object>();
        for (String pair : body.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            form.put(formDecode(eq < 0 ? pair : pair.substring(0, eq)), formDecode(eq < 0 ? "" : pair.substring(eq + 1)));
        }
        r.put("form", form);
        return r;
    }

    private static String formDecode(String s) {
        try {
            return URLDecoder.decode(s, "UTF-8");
        } catch (IllegalArgumentException | java.io.UnsupportedEncodingException e) {
            return s;
        }
    }

    // ---- subset matching (tests/vectors/README.md) ----

    /** null when {@code expected} ⊆ the actual value, else the first difference. */
    static String subset(Object expected, boolean present, Object actual, String at) {
        if (expected instanceof Map && ((Map<?, ?>) expected).size() == 1) {
            Map<?, ?> e = (Map<?, ?>) expected;
            if (Boolean.TRUE.equals(e.get("$absent"))) {
                return present ? at + ": expected no value, got " + cut(Json.write(actual)) : null;
            }
            if (Boolean.TRUE.equals(e.get("$any"))) {
                return present ? null : at + ": missing";
            }
        }
        if (!present) {
            return at + ": missing (expected " + cut(Json.write(expected)) + ")";
        }
        if (expected instanceof Map && actual instanceof Map) {
            Map<?, ?> a = (Map<?, ?>) actual;
            for (Map.Entry<?, ?> entry : ((Map<?, ?>) expected).entrySet()) {
                String diff = subset(entry.getValue(), a.containsKey(entry.getKey()), a.get(entry.getKey()), at + "." + entry.getKey());
                if (diff != null) {
                    return diff;
                }
            }
            return null;
        }
        if (expected instanceof List && actual instanceof List) {
            List<?> e = (List<?>) expected;
            List<?> a = (List<?>) actual;
            if (e.size() != a.size()) {
                return at + ": expected " + e.size() + " elements, got " + a.size() + ": " + cut(Json.write(actual));
            }
            for (int i = 0; i < e.size(); i++) {
                String diff = subset(e.get(i), true, a.get(i), at + "[" + i + "]");
                if (diff != null) {
                    return diff;
                }
            }
            return null;
        }
        if (expected instanceof Number && actual instanceof Number
                && ((Number) expected).doubleValue() == ((Number) actual).doubleValue()) {
            return null;
        }
        if (expected == null ? actual == null
                : (expected instanceof String || expected instanceof Boolean) && expected.equals(actual)) {
            return null;
        }
        return at + ": expected " + cut(Json.write(expected)) + ", got " + cut(Json.write(actual));
    }

    private static String cut(String text) {
        return text.length() <= 800 ? text : text.substring(0, 800) + "…";
    }
}
