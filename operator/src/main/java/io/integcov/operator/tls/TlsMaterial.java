package io.integcov.operator.tls;

import java.util.Map;

/** PEM-encoded self-signed CA and webhook serving certificate with their PKCS#8 private keys. */
public record TlsMaterial(String caCertPem, String caKeyPem, String certPem, String keyPem) {
    /** Keys of the TLS Secret; tls.crt and tls.key are what a kubernetes.io/tls Secret requires. */
    public static final String CA_CERT = "ca.crt";
    public static final String CA_KEY = "ca.key";
    public static final String CERT = "tls.crt";
    public static final String KEY = "tls.key";

    public Map<String, String> toSecretData() {
        return Map.of(CA_CERT, caCertPem, CA_KEY, caKeyPem, CERT, certPem, KEY, keyPem);
    }

    /** Null when any entry is missing. */
    public static TlsMaterial fromSecretData(Map<String, String> decoded) {
        if (decoded == null) {
            return null;
        }
        String caCert = decoded.get(CA_CERT);
        String caKey = decoded.get(CA_KEY);
        String cert = decoded.get(CERT);
        String key = decoded.get(KEY);
        if (caCert == null || caKey == null || cert == null || key == null) {
            return null;
        }
        return new TlsMaterial(caCert, caKey, cert, key);
    }
}
