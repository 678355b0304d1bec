package io.integcov.webhook;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/** TLS clients of the tests: the webhook's test certificates are self-signed, and what is served is what is checked. */
final class TlsClients {
    private TlsClients() {
    }

    /** A client that accepts any server certificate. */
    static SSLContext trustAll() throws GeneralSecurityException {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {new X509TrustManager() {
            public void checkClientTrusted(X509Certificate[] c, String a) {
            }

            public void checkServerTrusted(X509Certificate[] c, String a) {
            }

            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        return context;
    }

    /** The certificate a new TLS connection to host:port is served (a fresh context: no session is resumed). */
    static Certificate servedCertificate(String host, int port) throws IOException, GeneralSecurityException {
        try (SSLSocket socket = (SSLSocket) trustAll().getSocketFactory().createSocket(host, port)) {
            socket.startHandshake();
            return socket.getSession().getPeerCertificates()[0];
        }
    }
}
