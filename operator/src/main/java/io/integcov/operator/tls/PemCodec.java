package io.integcov.operator.tls;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.util.encoders.DecoderException;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;

/** PEM text of the webhook's certificates and keys, read and written with BouncyCastle's PEMParser and PEM writer. */
public final class PemCodec {
    private PemCodec() {
    }

    /** A {@code CERTIFICATE} block. */
    public static String certificate(X509Certificate certificate) {
        return write(certificate);
    }

    /** A PKCS#8 {@code PRIVATE KEY} block. */
    public static String privateKey(PrivateKey key) {
        StringWriter out = new StringWriter();
        try (PemWriter writer = new PemWriter(out)) {
            writer.writeObject(new PemObject("PRIVATE KEY", key.getEncoded()));
        } catch (IOException e) {
            throw new IllegalStateException("cannot write a private key as PEM", e);
        }
        return out.toString();
    }

    /** The first certificate in {@code pem}. */
    public static X509Certificate parseCertificate(String pem) throws GeneralSecurityException {
        Object block = firstBlock(pem);
        if (!(block instanceof X509CertificateHolder holder)) {
            throw new GeneralSecurityException("not a PEM certificate (found " + describe(block) + ")");
        }
        return new JcaX509CertificateConverter().getCertificate(holder);
    }

    /** Every certificate of a PEM bundle, in order; other blocks are skipped. */
    public static List<X509Certificate> parseCertificates(String pem) throws GeneralSecurityException {
        List<X509Certificate> certificates = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        try (PEMParser parser = new PEMParser(new StringReader(pem == null ? "" : pem))) {
            for (Object block = parser.readObject(); block != null; block = parser.readObject()) {
                if (block instanceof X509CertificateHolder holder) {
                    certificates.add(converter.getCertificate(holder));
                }
            }
        } catch (IOException | DecoderException e) {
            throw new GeneralSecurityException("malformed PEM: " + e.getMessage(), e);
        }
        return certificates;
    }

    /** The first private key in {@code pem}: PKCS#8 ({@code PRIVATE KEY}) or PKCS#1 ({@code RSA PRIVATE KEY}). */
    public static PrivateKey parsePrivateKey(String pem) throws GeneralSecurityException {
        Object block = firstBlock(pem);
        PrivateKeyInfo info;
        if (block instanceof PrivateKeyInfo pkcs8) {
            info = pkcs8;
        } else if (block instanceof PEMKeyPair pair) {
            info = pair.getPrivateKeyInfo();
        } else {
            throw new GeneralSecurityException("not an unencrypted PEM private key (found " + describe(block) + ")");
        }
        try {
            return new JcaPEMKeyConverter().getPrivateKey(info);
        } catch (IOException e) {
            throw new GeneralSecurityException("cannot read the PEM private key: " + e.getMessage(), e);
        }
    }

    private static Object firstBlock(String pem) throws GeneralSecurityException {
        try (PEMParser parser = new PEMParser(new StringReader(pem == null ? "" : pem))) {
            return parser.readObject();
        } catch (IOException | DecoderException e) { // DecoderException: a block whose body is not base64
            throw new GeneralSecurityException("malformed PEM: " + e.getMessage(), e);
        }
    }

    private static String describe(Object block) {
        return block == null ? "no PEM block" : block.getClass().getSimpleName();
    }

    private static String write(Object object) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + object.getClass().getSimpleName() + " as PEM", e);
        }
        return out.toString();
    }
}
