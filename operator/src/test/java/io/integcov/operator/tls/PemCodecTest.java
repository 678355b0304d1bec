package io.integcov.operator.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.junit.jupiter.api.Test;

class PemCodecTest {
    private static final TlsMaterial MATERIAL = WebhookCertificates.createAll(
            WebhookCertificates.subjectAltNames("integcov-webhook", "integcov-system", List.of()),
            Duration.ofDays(3650), Duration.ofDays(365), Instant.parse("2026-03-01T12:00:00Z"));

    @Test
    void certificatesRoundTripAndTheJdkReadsWhatIsWritten() throws Exception {
        X509Certificate parsed = PemCodec.parseCertificate(MATERIAL.certPem());
        assertEquals(MATERIAL.certPem(), PemCodec.certificate(parsed));
        X509Certificate byJdk = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
                new ByteArrayInputStream(MATERIAL.certPem().getBytes(StandardCharsets.US_ASCII)));
        assertEquals(byJdk, parsed);
        assertTrue(MATERIAL.certPem().startsWith("-----BEGIN CERTIFICATE-----\n"), MATERIAL.certPem());
    }

    @Test
    void aBundleYieldsItsFirstCertificate() throws Exception {
        String bundle = MATERIAL.certPem() + MATERIAL.caCertPem();
        assertEquals(PemCodec.parseCertificate(MATERIAL.certPem()), PemCodec.parseCertificate(bundle));
    }

    @Test
    void privateKeysAreWrittenAsPkcs8AndRead() throws Exception {
        PrivateKey key = PemCodec.parsePrivateKey(MATERIAL.keyPem());
        assertTrue(MATERIAL.keyPem().startsWith("-----BEGIN PRIVATE KEY-----\n"), "PKCS#8");
        assertEquals(MATERIAL.keyPem(), PemCodec.privateKey(key));
    }

    @Test
    void pkcs1RsaAndEcKeysAreReadToo() throws Exception {
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        KeyPair rsaPair = rsa.generateKeyPair();
        // openssl's traditional form: the PKCS#1 RSAPrivateKey that the PKCS#8 structure wraps
        byte[] rsaPrivateKey = PrivateKeyInfo.getInstance(rsaPair.getPrivate().getEncoded()).parsePrivateKey()
                .toASN1Primitive().getEncoded();
        String pkcs1 = block("RSA PRIVATE KEY", rsaPrivateKey);
        assertArrayEquals(rsaPair.getPrivate().getEncoded(), PemCodec.parsePrivateKey(pkcs1).getEncoded());

        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(256);
        PrivateKey ecKey = ec.generateKeyPair().getPrivate();
        assertEquals("EC", PemCodec.parsePrivateKey(PemCodec.privateKey(ecKey)).getAlgorithm());
    }

    @Test
    void whatIsNotTheAskedBlockIsRejectedSayingWhatItIs() {
        GeneralSecurityException notACert = assertThrows(GeneralSecurityException.class,
                () -> PemCodec.parseCertificate(MATERIAL.keyPem()));
        assertTrue(notACert.getMessage().contains("not a PEM certificate"), notACert.getMessage());
        GeneralSecurityException notAKey = assertThrows(GeneralSecurityException.class,
                () -> PemCodec.parsePrivateKey(MATERIAL.certPem()));
        assertTrue(notAKey.getMessage().contains("not an unencrypted PEM private key"), notAKey.getMessage());
        GeneralSecurityException empty = assertThrows(GeneralSecurityException.class, () -> PemCodec.parsePrivateKey(""));
        assertTrue(empty.getMessage().contains("no PEM block"), empty.getMessage());
        assertThrows(GeneralSecurityException.class, () -> PemCodec.parseCertificate(
                "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n"));
    }

    private static String block(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
