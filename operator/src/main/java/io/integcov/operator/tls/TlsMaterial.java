package io.integcov.operator.tls;

import java.util.HashMap;
import java.util.Map;

/**
 * PEM-encoded self-signed CA and webhook serving certificate with their PKCS#8 private keys, and the CA certificate
 * this CA replaced (null when none): the caBundle keeps trusting it for a while after a CA rotation, because webhook
 * pods still serve the old certificate until the kubelet has delivered the new Secret to them.
 */
public record TlsMaterial(String caCertPem, String caKeyPem, String certPem, String keyPem, String previousCaCertPem) {
    /** Keys of the TLS Secret; tls.crt and tls.key are what a kubernetes.io/tls Secret requires. */
    public static final String CA_CERT = "ca.crt";
    public static final String CA_KEY = "ca.key";
    public static final String CERT = "tls.crt";
    public static final String KEY = "tls.key";
    /** The replaced CA's certificate (no key: nothing is signed with it any more); only after a CA rotation. */
    public static final String PREVIOUS_CA_CERT = "ca-previous.crt";

    public TlsMaterial(String caCertPem, String caKeyPem, String certPem, String keyPem) {
        this(caCertPem, caKeyPem, certPem, keyPem, null);
    }

    /** The same material with another previous CA certificate (null: none). */
    public TlsMaterial withPreviousCa(String pem) {
        return new TlsMaterial(caCertPem, caKeyPem, certPem, keyPem, pem);
    }

    public Map<String, String> toSecretData() {
        Map<String, String> data = new HashMap<>(Map.of(CA_CERT, caCertPem, CA_KEY, caKeyPem, CERT, certPem, KEY,
                keyPem));
        if (previousCaCertPem != null) {
            data.put(PREVIOUS_CA_CERT, previousCaCertPem);
        }
        return Map.copyOf(data);
    }

    /** Null when any entry but the optional previous CA is missing. */
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
        return new TlsMaterial(caCert, caKey, cert, key, decoded.get(PREVIOUS_CA_CERT));
    }
}
