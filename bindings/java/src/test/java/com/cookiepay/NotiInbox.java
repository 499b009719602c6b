package com.cookiepay;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpServer;

/**
 * The shop's 통지 URL in a test: a loopback HTTP server that keeps every body POSTed to it, raw, as
 * a servlet reading request.getInputStream() would get it, and answers 200.
 */
final class NotiInbox implements AutoCloseable {
    private final HttpServer server;
    private final LinkedBlockingQueue<byte[]> bodies = new LinkedBlockingQueue<byte[]>();

    NotiInbox() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/noti", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                byte[] buffer = new byte[8192];
                int n;
                while ((n = in.read(buffer)) != -1) {
                    out.write(buffer, 0, n);
                }
                bodies.add(out.toByteArray());
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/noti";
    }

    /** The next body, waiting up to 10 s; null if none came. */
    byte[] next() throws InterruptedException {
        return bodies.poll(10, TimeUnit.SECONDS);
    }

    /** Every body received so far, after waiting {@code quietMs} for stragglers. */
    List<byte[]> drain(long quietMs) throws InterruptedException {
        List<byte[]> out = new ArrayList<byte[]>();
        byte[] body;
        while ((body = bodies.poll(quietMs, TimeUnit.MILLISECONDS)) != null) {
            out.add(body);
        }
        return out;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
