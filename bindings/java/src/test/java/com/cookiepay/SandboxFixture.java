package com.cookiepay;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The set-up every sandbox test class shares: one fresh cookiepay-sandbox per class, started before
 * its first test and stopped after its last, and one client on it, created on first use and closed
 * with the sandbox. Register it in a static field:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final SandboxFixture fx = new SandboxFixture();            // or .resetBeforeEach()
 * ... fx.sandbox().fault("paycert", "http_500", 1); fx.client().paycert(tid); ...
 * }</pre>
 */
final class SandboxFixture implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback {
    private boolean resetBeforeEach;
    private Sandbox sandbox;
    private CookiePayClient client;

    /** Also clear faults, counters (and whatever else /_sandbox/reset clears) before each test. */
    SandboxFixture resetBeforeEach() {
        resetBeforeEach = true;
        return this;
    }

    Sandbox sandbox() {
        if (sandbox == null) {
            throw new IllegalStateException("SandboxFixture: use it from a test, after @BeforeAll (register it with @RegisterExtension on a static field)");
        }
        return sandbox;
    }

    /** The class's shared client (sandbox config, short timeouts), made on first use. */
    synchronized CookiePayClient client() {
        if (client == null) {
            client = sandbox().client();
        }
        return client;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        sandbox = Sandbox.start();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (resetBeforeEach) {
            sandbox().reset();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        try {
            synchronized (this) {
                if (client != null) {
                    client.close();
                    client = null;
                }
            }
        } finally {
            if (sandbox != null) {
                sandbox.close();
                sandbox = null;
            }
        }
    }
}
