package io.integcov.operator.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.integcov.operator.tls.WebhookCertificates.Verdict;
import java.security.KeyStore;
import java.security.Signature;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class WebhookCertificatesTest {
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private static final Duration CA_VALIDITY = Duration.ofDays(3650);
    private static final Duration SERVING_VALIDITY = Duration.ofDays(365);
    private static final Duration RENEW_BEFORE = Duration.ofDays(30);
    private static final List<String> SANS = WebhookCertificates.subjectAltNames("integcov-webhook", "integcov-system",
            List.of("127.0.0.1", "localhost", "::1"));

    /** Key generation is slow; the tests share one set and only derive from it. */
    private static TlsMaterial material;

    @BeforeAll
    static void createCertificates() {
        material = WebhookCertificates.createAll(SANS, CA_VALIDITY, SERVING_VALIDITY, NOW);
    }

    @Test
    void namesTheServiceDnsNamesThenTheExtraOnes() {
        assertEquals(List.of("integcov-webhook", "integcov-webhook.integcov-system", "integcov-webhook.integcov-system.svc",
                "integcov-webhook.integcov-system.svc.cluster.local", "127.0.0.1", "localhost", "::1"), SANS);
    }

    @Test
    void servingCertificateHasTheSansAndChainsToTheCa() throws Exception {
        X509Certificate ca = PemCodec.parseCertificate(material.caCertPem());
        X509Certificate serving = PemCodec.parseCertificate(material.certPem());

        assertEquals(List.of("integcov-webhook", "integcov-webhook.integcov-system",
                "integcov-webhook.integcov-system.svc", "integcov-webhook.integcov-system.svc.cluster.local",
                "127.0.0.1", "localhost", "0:0:0:0:0:0:0:1"), WebhookCertificates.subjectAltNamesOf(serving));
        assertTrue(ca.getBasicConstraints() >= 0, "CA has basicConstraints CA:true");
        assertTrue(ca.getKeyUsage()[5], "CA may sign certificates");
        assertEquals(-1, serving.getBasicConstraints(), "serving certificate is not a CA");
        assertEquals(List.of("1.3.6.1.5.5.7.3.1"), serving.getExtendedKeyUsage());
        assertEquals(Date.from(NOW.plus(SERVING_VALIDITY)), serving.getNotAfter());
        assertEquals(Date.from(NOW.minus(WebhookCertificates.BACKDATE)), serving.getNotBefore());

        serving.verify(ca.getPublicKey());
        PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(ca, null)));
        parameters.setRevocationEnabled(false);
        parameters.setDate(Date.from(NOW));
        CertPathValidator.getInstance("PKIX").validate(
                CertificateFactory.getInstance("X.509").generateCertPath(List.of(serving)), parameters);

        // what a TLS client trusting only the caBundle checks
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca);
        TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
        factory.init(trust);
        ((X509TrustManager) factory.getTrustManagers()[0]).checkServerTrusted(new X509Certificate[] {serving}, "RSA");
    }

    @Test
    void privateKeysMatchTheirCertificates() throws Exception {
        byte[] data = "challenge".getBytes();
        Signature signer = Signature.getInstance("SHA256withRSA");
        signer.initSign(PemCodec.parsePrivateKey(material.keyPem()));
        signer.update(data);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance("SHA256withRSA");
        verifier.initVerify(PemCodec.parseCertificate(material.certPem()).getPublicKey());
        verifier.update(data);
        assertTrue(verifier.verify(signature));
        assertTrue(material.keyPem().startsWith("-----BEGIN PRIVATE KEY-----\n"));
    }

    @Test
    void freshCertificatesAreKept() {
        assertEquals(Verdict.KEEP, WebhookCertificates.check(material, SANS, RENEW_BEFORE, NOW.plusSeconds(5)).verdict());
    }

    @Test
    void servingCertificateIsReissuedNearExpiryWithTheSameCa() throws Exception {
        Instant later = NOW.plus(SERVING_VALIDITY).minus(Duration.ofDays(10));
        WebhookCertificates.Check check = WebhookCertificates.check(material, SANS, RENEW_BEFORE, later);
        assertEquals(Verdict.REISSUE_SERVING, check.verdict(), check.reason());

        TlsMaterial renewed = WebhookCertificates.reissueServing(material, SANS, SERVING_VALIDITY, later);
        assertEquals(material.caCertPem(), renewed.caCertPem());
        assertNotEquals(material.certPem(), renewed.certPem());
        assertEquals(Verdict.KEEP, WebhookCertificates.check(renewed, SANS, RENEW_BEFORE, later).verdict());
    }

    @Test
    void servingCertificateIsReissuedWhenTheNamesChange() {
        List<String> fewer = WebhookCertificates.subjectAltNames("integcov-webhook", "integcov-system", List.of());
        WebhookCertificates.Check check = WebhookCertificates.check(material, fewer, RENEW_BEFORE, NOW);
        assertEquals(Verdict.REISSUE_SERVING, check.verdict());
        assertTrue(check.reason().contains("127.0.0.1"), check.reason());
    }

    @Test
    void servingCertificateIsReissuedWhenItsKeyDoesNotMatch() {
        TlsMaterial mixed = new TlsMaterial(material.caCertPem(), material.caKeyPem(), material.certPem(),
                material.caKeyPem());
        assertEquals(Verdict.REISSUE_SERVING, WebhookCertificates.check(mixed, SANS, RENEW_BEFORE, NOW).verdict());
    }

    @Test
    void servingCertificateNeverOutlivesTheCa() throws Exception {
        Instant nearCaEnd = NOW.plus(CA_VALIDITY).minus(Duration.ofDays(100));
        TlsMaterial renewed = WebhookCertificates.reissueServing(material, SANS, SERVING_VALIDITY, nearCaEnd);
        assertEquals(PemCodec.parseCertificate(material.caCertPem()).getNotAfter(),
                PemCodec.parseCertificate(renewed.certPem()).getNotAfter());
    }

    @Test
    void everythingIsReplacedWhenTheCaExpiresOrIsUnreadable() {
        Instant nearCaEnd = NOW.plus(CA_VALIDITY).minus(Duration.ofDays(1));
        assertEquals(Verdict.NEW_CA, WebhookCertificates.check(material, SANS, RENEW_BEFORE, nearCaEnd).verdict());
        assertEquals(Verdict.NEW_CA, WebhookCertificates.check(null, SANS, RENEW_BEFORE, NOW).verdict());
        TlsMaterial garbage = new TlsMaterial("junk", material.caKeyPem(), material.certPem(), material.keyPem());
        assertEquals(Verdict.NEW_CA, WebhookCertificates.check(garbage, SANS, RENEW_BEFORE, NOW).verdict());
        TlsMaterial wrongCaKey = new TlsMaterial(material.caCertPem(), material.keyPem(), material.certPem(),
                material.keyPem());
        assertEquals(Verdict.NEW_CA, WebhookCertificates.check(wrongCaKey, SANS, RENEW_BEFORE, NOW).verdict());
    }

    @Test
    void aServingCertificateFromAnotherCaIsReissued() {
        TlsMaterial other = WebhookCertificates.createAll(SANS, CA_VALIDITY, SERVING_VALIDITY, NOW);
        TlsMaterial foreign = new TlsMaterial(material.caCertPem(), material.caKeyPem(), other.certPem(),
                other.keyPem());
        WebhookCertificates.Check check = WebhookCertificates.check(foreign, SANS, RENEW_BEFORE, NOW);
        assertEquals(Verdict.REISSUE_SERVING, check.verdict());
        assertThrows(java.security.SignatureException.class, () -> PemCodec.parseCertificate(other.certPem())
                .verify(PemCodec.parseCertificate(material.caCertPem()).getPublicKey()));
    }

    /**
     * A CA rotation: while webhook pods may still serve the old certificate, the caBundle trusts it and the new one;
     * after the overlap only the new one.
     */
    @Test
    void caRotationTrustsTheOldAndTheNewServingCertificateDuringTheOverlapOnly() throws Exception {
        Instant rotation = NOW.plus(CA_VALIDITY).minus(Duration.ofDays(20));
        TlsMaterial old = WebhookCertificates.reissueServing(material, SANS, SERVING_VALIDITY, rotation.minus(
                Duration.ofDays(200)));
        assertEquals(Verdict.NEW_CA, WebhookCertificates.check(old, SANS, RENEW_BEFORE, rotation).verdict());
        TlsMaterial rotated = WebhookCertificates.rotateCa(old, SANS, CA_VALIDITY, SERVING_VALIDITY, rotation);
        assertEquals(old.caCertPem(), rotated.previousCaCertPem());
        assertNotEquals(old.caCertPem(), rotated.caCertPem());
        Duration overlap = Duration.ofHours(24);

        String during = WebhookCertificates.caBundle(rotated, overlap, rotation.plus(overlap).minusSeconds(1));
        assertTrue(trusts(during, old.certPem(), rotation), "the old serving certificate during the overlap");
        assertTrue(trusts(during, rotated.certPem(), rotation), "the new serving certificate");

        String after = WebhookCertificates.caBundle(rotated, overlap, rotation.plus(overlap));
        assertEquals(rotated.caCertPem(), after);
        assertTrue(trusts(after, rotated.certPem(), rotation.plus(overlap)));
        assertTrue(!trusts(after, old.certPem(), rotation.plus(overlap)), "the old one is no longer trusted");
    }

    @Test
    void aRotationFromUnusableCertificatesKeepsNoPreviousCa() {
        TlsMaterial foreign = new TlsMaterial(material.caCertPem(), "junk", WebhookCertificates.createAll(SANS,
                CA_VALIDITY, SERVING_VALIDITY, NOW).certPem(), material.keyPem());
        assertEquals(null, WebhookCertificates.rotateCa(foreign, SANS, CA_VALIDITY, SERVING_VALIDITY, NOW)
                .previousCaCertPem(), "a serving certificate the CA did not sign cannot be served successfully");
        assertEquals(null, WebhookCertificates.rotateCa(null, SANS, CA_VALIDITY, SERVING_VALIDITY, NOW)
                .previousCaCertPem());
        Instant afterServingExpiry = NOW.plus(SERVING_VALIDITY).plusSeconds(1);
        assertEquals(null, WebhookCertificates.rotateCa(material, SANS, CA_VALIDITY, SERVING_VALIDITY,
                afterServingExpiry).previousCaCertPem(), "an expired serving certificate is of no use");
    }

    @Test
    void reissuingTheServingCertificateDuringTheOverlapKeepsThePreviousCa() {
        TlsMaterial rotated = material.withPreviousCa(material.caCertPem());
        assertEquals(material.caCertPem(), WebhookCertificates.reissueServing(rotated, SANS, SERVING_VALIDITY, NOW)
                .previousCaCertPem());
    }

    /** Before a new CA goes into the Secret the bundle gains it and keeps what it trusted (less the expired). */
    @Test
    void wideningKeepsTheTrustedCasAndAddsTheNewOnes() throws Exception {
        TlsMaterial other = WebhookCertificates.createAll(SANS, CA_VALIDITY, SERVING_VALIDITY, NOW);
        String widened = WebhookCertificates.widen(material.caCertPem(), other.caCertPem(), NOW);
        assertTrue(trusts(widened, material.certPem(), NOW));
        assertTrue(trusts(widened, other.certPem(), NOW));
        assertEquals(other.caCertPem(), WebhookCertificates.widen(other.caCertPem(), other.caCertPem(), NOW),
                "nothing twice");
        assertEquals(other.caCertPem(), WebhookCertificates.widen(material.caCertPem(), other.caCertPem(),
                NOW.plus(CA_VALIDITY)), "an expired CA is dropped");
        assertEquals(other.caCertPem(), WebhookCertificates.widen(null, other.caCertPem(), NOW));
        assertEquals(other.caCertPem(), WebhookCertificates.widen("junk", other.caCertPem(), NOW));
    }

    /** Whether a TLS client trusting only the PEM {@code bundle} accepts {@code servingPem} at {@code at}. */
    private static boolean trusts(String bundle, String servingPem, Instant at) throws Exception {
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        Set<TrustAnchor> anchors = new java.util.HashSet<>();
        for (var c : factory.generateCertificates(new java.io.ByteArrayInputStream(bundle.getBytes()))) {
            anchors.add(new TrustAnchor((X509Certificate) c, null));
        }
        PKIXParameters parameters = new PKIXParameters(anchors);
        parameters.setRevocationEnabled(false);
        parameters.setDate(Date.from(at));
        try {
            CertPathValidator.getInstance("PKIX").validate(
                    factory.generateCertPath(List.of(PemCodec.parseCertificate(servingPem))), parameters);
            return true;
        } catch (java.security.cert.CertPathValidatorException e) {
            return false;
        }
    }

    @Test
    void secretDataRoundTrips() {
        assertEquals(material, TlsMaterial.fromSecretData(material.toSecretData()));
        TlsMaterial rotated = material.withPreviousCa("previous");
        assertEquals(rotated, TlsMaterial.fromSecretData(rotated.toSecretData()));
        assertEquals(null, TlsMaterial.fromSecretData(java.util.Map.of(TlsMaterial.CERT, "x")));
    }

}
