package io.integcov.cli.collect;

import io.integcov.testing.Kubeconfig;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A CA, a serving certificate for 127.0.0.1 and client certificates with the key forms found in kubeconfigs: RSA in
 * PKCS#1 ({@code BEGIN RSA PRIVATE KEY}, kubeadm), EC in SEC1 ({@code BEGIN EC PRIVATE KEY}, Go's
 * {@code x509.MarshalECPrivateKey}) and EC in PKCS#8 ({@code BEGIN PRIVATE KEY}, k3s and other local clusters).
 */
final class TlsFixtures {
    enum KeyType { RSA, EC, EC_PKCS8 }

    record Issued(X509Certificate certificate, PrivateKey key, java.security.PublicKey publicKey, KeyType type) {
        String certificatePem() {
            return pem(certificate);
        }

        String keyPem() {
            try {
                return switch (type) {
                    case RSA -> pem(key); // BouncyCastle writes RSA keys as PKCS#1
                    case EC_PKCS8 -> pem(new PemObject("PRIVATE KEY", key.getEncoded()));
                    case EC -> pem(new PemObject("EC PRIVATE KEY", new org.bouncycastle.asn1.sec.ECPrivateKey(256,
                            ((java.security.interfaces.ECPrivateKey) key).getS(),
                            SubjectPublicKeyInfo.getInstance(publicKey.getEncoded()).getPublicKeyData(),
                            X9ObjectIdentifiers.prime256v1).getEncoded()));
                };
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private final Issued ca;

    TlsFixtures() throws Exception {
        KeyPair keys = generate(KeyType.RSA);
        ca = new Issued(sign("CN=integcov-test-ca", keys.getPublic(), keys.getPrivate(), true, null), keys.getPrivate(),
                keys.getPublic(), KeyType.RSA);
    }

    Issued ca() {
        return ca;
    }

    Issued server() throws Exception {
        KeyPair keys = generate(KeyType.RSA);
        return new Issued(sign("CN=127.0.0.1", keys.getPublic(), ca.key(), false, "127.0.0.1"), keys.getPrivate(),
                keys.getPublic(), KeyType.RSA);
    }

    Issued client(KeyType type) throws Exception {
        KeyPair keys = generate(type);
        return new Issued(sign("CN=ci-" + type.name().toLowerCase() + ",O=system:masters", keys.getPublic(), ca.key(),
                false, null), keys.getPrivate(), keys.getPublic(), type);
    }

    /** A server context that trusts only this CA and requires a client certificate. */
    SSLContext serverContext(Issued server) throws Exception {
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        keyStore.load(null, null);
        keyStore.setKeyEntry("server", server.key(), new char[0], new X509Certificate[] {server.certificate(),
                ca.certificate()});
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keyStore, new char[0]);
        KeyStore trustStore = KeyStore.getInstance("PKCS12");
        trustStore.load(null, null);
        trustStore.setCertificateEntry("ca", ca.certificate());
        TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trustStore);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
        return context;
    }

    /** A kubeconfig for {@code server} that authenticates with {@code client}, all inline (base64 PEM). */
    String kubeconfig(String server, Issued client) {
        return Kubeconfig.forServer(server).caPem(ca.certificatePem())
                .clientCertificate(client.certificatePem(), client.keyPem()).yaml();
    }

    private static KeyPair generate(KeyType type) throws Exception {
        if (type != KeyType.RSA) {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        }
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair();
    }

    private X509Certificate sign(String subject, java.security.PublicKey publicKey, PrivateKey issuerKey,
            boolean isCa, String ipSan) throws Exception {
        Instant now = Instant.now();
        X500Name issuer = new X500Name(isCa ? subject : ca.certificate().getSubjectX500Principal().getName());
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer,
                BigInteger.valueOf(now.toEpochMilli()).add(BigInteger.valueOf(subject.hashCode() & 0xffff)),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))),
                new X500Name(subject), publicKey);
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
        if (ipSan != null) {
            builder.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(new GeneralName(GeneralName.iPAddress, ipSan)));
        }
        String algorithm = issuerKey.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder(algorithm).build(issuerKey)));
    }

    private static String pem(Object object) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toString();
    }

}
