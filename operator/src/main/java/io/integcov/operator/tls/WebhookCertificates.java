package io.integcov.operator.tls;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Builds the webhook's self-signed CA and serving certificate, and decides when existing ones must be replaced. Uses
 * BouncyCastle only to build certificates; keys, signatures and parsing use the JDK's providers.
 */
public final class WebhookCertificates {
    /** Allowance for clocks of the API server and the operator that disagree a little. */
    static final Duration BACKDATE = Duration.ofHours(1);
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private WebhookCertificates() {
    }

    /** What to do with the certificates found in the Secret. */
    public enum Verdict {
        KEEP, REISSUE_SERVING, NEW_CA
    }

    public record Check(Verdict verdict, String reason) {
    }

    /** The DNS names of {@code service} in {@code namespace}, then the extra names (IP literals become IP SANs). */
    public static List<String> subjectAltNames(String service, String namespace, Collection<String> extra) {
        Set<String> names = new LinkedHashSet<>(List.of(service, service + "." + namespace,
                service + "." + namespace + ".svc", service + "." + namespace + ".svc.cluster.local"));
        for (String name : extra) {
            if (!name.isBlank()) {
                names.add(name.trim());
            }
        }
        return List.copyOf(names);
    }

    /** A new CA and a serving certificate for {@code sans} signed by it. */
    public static TlsMaterial createAll(List<String> sans, Duration caValidity, Duration servingValidity, Instant now) {
        try {
            KeyPair caKeys = newRsaKeyPair();
            X500Name caName = new X500Name("CN=integcov-webhook-ca");
            Instant caNotAfter = now.plus(caValidity);
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(caName, serialNumber(),
                    Date.from(now.minus(BACKDATE)), Date.from(caNotAfter), caName, caKeys.getPublic());
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            builder.addExtension(Extension.subjectKeyIdentifier, false,
                    extensions.createSubjectKeyIdentifier(caKeys.getPublic()));
            X509Certificate ca = sign(builder, caKeys.getPrivate());
            return issueServing(PemCodec.certificate(ca), PemCodec.privateKey(caKeys.getPrivate()), ca, caKeys.getPrivate(), sans,
                    servingValidity, now);
        } catch (GeneralSecurityException | CertIOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot create the webhook CA certificate: " + e.getMessage(), e);
        }
    }

    /** A new serving certificate (and key) for {@code sans}, signed by the CA in {@code existing}. */
    public static TlsMaterial reissueServing(TlsMaterial existing, List<String> sans, Duration servingValidity,
            Instant now) {
        try {
            X509Certificate ca = PemCodec.parseCertificate(existing.caCertPem());
            PrivateKey caKey = PemCodec.parsePrivateKey(existing.caKeyPem());
            return issueServing(existing.caCertPem(), existing.caKeyPem(), ca, caKey, sans, servingValidity, now)
                    .withPreviousCa(existing.previousCaCertPem());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot read the webhook CA: " + e.getMessage(), e);
        }
    }

    /**
     * A new CA and serving certificate that replace {@code existing} (null or unusable: nothing to replace). The old CA
     * is kept as the previous CA when the old serving certificate may still be served: it is valid at {@code now} and
     * signed by that CA. Webhook pods serve it until the kubelet has delivered the new Secret to them, so the caBundle
     * must keep trusting the old CA meanwhile ({@link #caBundle}).
     */
    public static TlsMaterial rotateCa(TlsMaterial existing, List<String> sans, Duration caValidity,
            Duration servingValidity, Instant now) {
        return createAll(sans, caValidity, servingValidity, now).withPreviousCa(stillServed(existing, now));
    }

    /** The CA certificate of {@code existing} when its serving certificate may still be in use, else null. */
    private static String stillServed(TlsMaterial existing, Instant now) {
        if (existing == null) {
            return null;
        }
        try {
            X509Certificate ca = PemCodec.parseCertificate(existing.caCertPem());
            X509Certificate serving = PemCodec.parseCertificate(existing.certPem());
            serving.verify(ca.getPublicKey());
            serving.checkValidity(Date.from(now));
            return existing.caCertPem();
        } catch (GeneralSecurityException | RuntimeException e) {
            return null; // unreadable, foreign or expired: no client can be served with it
        }
    }

    /**
     * The PEM caBundle for {@code material}: its CA, then the previous CA while a webhook pod may still serve a
     * certificate it signed: until {@code overlap} after the rotation (the current CA's start, less the backdating) and
     * at most until the previous CA expires.
     */
    public static String caBundle(TlsMaterial material, Duration overlap, Instant now) {
        if (material.previousCaCertPem() == null) {
            return material.caCertPem();
        }
        try {
            X509Certificate current = PemCodec.parseCertificate(material.caCertPem());
            X509Certificate previous = PemCodec.parseCertificate(material.previousCaCertPem());
            Instant rotatedAt = current.getNotBefore().toInstant().plus(BACKDATE);
            Instant trustedUntil = rotatedAt.plus(overlap);
            if (previous.getNotAfter().toInstant().isBefore(trustedUntil)) {
                trustedUntil = previous.getNotAfter().toInstant();
            }
            return now.isBefore(trustedUntil) ? material.caCertPem() + PemCodec.certificate(previous)
                    : material.caCertPem();
        } catch (GeneralSecurityException e) {
            return material.caCertPem(); // an unreadable previous CA cannot be trusted anyway
        }
    }

    /**
     * {@code bundle} followed by the certificates of {@code existing} (a PEM caBundle, may be null or junk) that it
     * lacks and that have not expired at {@code now}: what the webhook configuration trusts while a new CA is being
     * put into the Secret, so that neither the certificate being replaced nor the new one is ever refused.
     */
    public static String widen(String existing, String bundle, Instant now) {
        if (existing == null || existing.isBlank()) {
            return bundle;
        }
        try {
            List<X509Certificate> wanted = PemCodec.parseCertificates(bundle);
            StringBuilder widened = new StringBuilder(bundle);
            for (X509Certificate x : PemCodec.parseCertificates(existing)) {
                if (!wanted.contains(x) && x.getNotAfter().toInstant().isAfter(now)) {
                    widened.append(PemCodec.certificate(x));
                }
            }
            return widened.toString();
        } catch (GeneralSecurityException e) {
            return bundle; // the existing bundle is unreadable: the API server cannot use it either
        }
    }

    private static TlsMaterial issueServing(String caCertPem, String caKeyPem, X509Certificate ca, PrivateKey caKey,
            List<String> sans, Duration servingValidity, Instant now) {
        try {
            KeyPair keys = newRsaKeyPair();
            Instant notAfter = now.plus(servingValidity);
            if (notAfter.isAfter(ca.getNotAfter().toInstant())) {
                notAfter = ca.getNotAfter().toInstant();
            }
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    X500Name.getInstance(ca.getSubjectX500Principal().getEncoded()), serialNumber(),
                    Date.from(now.minus(BACKDATE)), Date.from(notAfter), new X500Name("CN=" + sans.get(0)),
                    keys.getPublic());
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true,
                    new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            builder.addExtension(Extension.subjectAlternativeName, false, generalNames(sans));
            builder.addExtension(Extension.authorityKeyIdentifier, false,
                    extensions.createAuthorityKeyIdentifier(ca.getPublicKey()));
            X509Certificate serving = sign(builder, caKey);
            return new TlsMaterial(caCertPem, caKeyPem, PemCodec.certificate(serving), PemCodec.privateKey(keys.getPrivate()));
        } catch (GeneralSecurityException | CertIOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot create the webhook serving certificate: " + e.getMessage(), e);
        }
    }

    /**
     * Whether {@code existing} can stay: both certificates parse, the serving one is signed by the CA, matches its key,
     * names exactly {@code sans}, and neither expires within {@code renewBefore}.
     */
    public static Check check(TlsMaterial existing, List<String> sans, Duration renewBefore, Instant now) {
        if (existing == null) {
            return new Check(Verdict.NEW_CA, "no certificate yet");
        }
        X509Certificate ca;
        try {
            ca = PemCodec.parseCertificate(existing.caCertPem());
            PrivateKey caKey = PemCodec.parsePrivateKey(existing.caKeyPem());
            if (!sameKeyPair(ca.getPublicKey(), caKey)) {
                return new Check(Verdict.NEW_CA, "the CA key does not match the CA certificate");
            }
        } catch (GeneralSecurityException e) {
            return new Check(Verdict.NEW_CA, "the CA cannot be read: " + e.getMessage());
        }
        Instant renewAt = now.plus(renewBefore);
        if (ca.getNotAfter().toInstant().isBefore(renewAt)) {
            return new Check(Verdict.NEW_CA, "the CA expires at " + ca.getNotAfter().toInstant());
        }
        try {
            X509Certificate serving = PemCodec.parseCertificate(existing.certPem());
            serving.verify(ca.getPublicKey());
            if (!sameKeyPair(serving.getPublicKey(), PemCodec.parsePrivateKey(existing.keyPem()))) {
                return new Check(Verdict.REISSUE_SERVING, "the serving key does not match the serving certificate");
            }
            if (serving.getNotAfter().toInstant().isBefore(renewAt)) {
                return new Check(Verdict.REISSUE_SERVING, "the serving certificate expires at "
                        + serving.getNotAfter().toInstant());
            }
            if (serving.getNotBefore().toInstant().isAfter(now)) {
                return new Check(Verdict.REISSUE_SERVING, "the serving certificate is not valid yet");
            }
            Set<String> actual = new LinkedHashSet<>(subjectAltNamesOf(serving));
            Set<String> wanted = new LinkedHashSet<>(normalized(sans));
            if (!actual.equals(wanted)) {
                return new Check(Verdict.REISSUE_SERVING, "the serving certificate names " + actual + ", wanted " + wanted);
            }
        } catch (GeneralSecurityException e) {
            return new Check(Verdict.REISSUE_SERVING, "the serving certificate is not usable: " + e.getMessage());
        }
        return new Check(Verdict.KEEP, "valid");
    }

    /** DNS names and IP addresses (in the JDK's textual form) of the certificate's subjectAltName extension. */
    public static List<String> subjectAltNamesOf(X509Certificate certificate) throws CertificateParsingException {
        List<String> names = new ArrayList<>();
        Collection<List<?>> entries = certificate.getSubjectAlternativeNames();
        if (entries != null) {
            for (List<?> entry : entries) {
                int type = (Integer) entry.get(0);
                if (type == GeneralName.dNSName || type == GeneralName.iPAddress) {
                    names.add((String) entry.get(1));
                }
            }
        }
        return names;
    }

    static boolean isIpAddress(String name) {
        return IPV4.matcher(name).matches() || name.contains(":");
    }

    private static List<String> normalized(List<String> sans) {
        return sans.stream().map(name -> isIpAddress(name) ? ipLiteral(name).getHostAddress() : name).toList();
    }

    private static InetAddress ipLiteral(String name) {
        try {
            // a literal address is parsed, never looked up
            return InetAddress.getByName(name);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + name + "' is not a valid IP address", e);
        }
    }

    private static GeneralNames generalNames(List<String> sans) {
        GeneralName[] names = sans.stream()
                .map(name -> isIpAddress(name) ? new GeneralName(GeneralName.iPAddress, ipLiteral(name).getHostAddress())
                        : new GeneralName(GeneralName.dNSName, name))
                .toArray(GeneralName[]::new);
        return new GeneralNames(names);
    }

    private static boolean sameKeyPair(PublicKey publicKey, PrivateKey privateKey) {
        return publicKey instanceof RSAPublicKey rsaPublic && privateKey instanceof RSAPrivateCrtKey rsaPrivate
                && rsaPublic.getModulus().equals(rsaPrivate.getModulus())
                && rsaPublic.getPublicExponent().equals(rsaPrivate.getPublicExponent());
    }

    // a fresh SecureRandom each time, never one in a static field: native images initialize classes at build time
    private static KeyPair newRsaKeyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048, new SecureRandom());
        return generator.generateKeyPair();
    }

    private static BigInteger serialNumber() {
        return new BigInteger(127, new SecureRandom()).add(BigInteger.ONE);
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signer)
            throws OperatorCreationException, GeneralSecurityException {
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(signer)));
    }
}
