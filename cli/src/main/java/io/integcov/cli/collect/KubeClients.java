package io.integcov.cli.collect;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.bouncycastle.asn1.ASN1BitString;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERTaggedObject;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;

/**
 * A Kubernetes client from the current kube context. fabric8 reads EC client keys only in OpenSSL's SEC1 form
 * ({@code BEGIN EC PRIVATE KEY}); a key in PKCS#8 form ({@code BEGIN PRIVATE KEY}, as written by k3s and other local
 * clusters) it parses as RSA and fails with "Invalid DER: object is not integer". Such a key is rewritten to SEC1
 * (with BouncyCastle's ASN.1 classes) before the client is built; RSA keys and SEC1 keys are used as they are.
 */
final class KubeClients {
    private KubeClients() {
    }

    static KubernetesClient fromCurrentContext() {
        Config config = Config.autoConfigure(null);
        try {
            useSec1EcKey(config);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the client key of the kubeconfig: " + e.getMessage(), e);
        }
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    /** Replaces a PKCS#8 EC client key of {@code config} by the same key in SEC1 form. */
    static void useSec1EcKey(Config config) throws IOException {
        String pem;
        if (config.getClientKeyData() != null && !config.getClientKeyData().isBlank()) {
            pem = new String(Base64.getMimeDecoder().decode(config.getClientKeyData().trim()), StandardCharsets.US_ASCII);
        } else if (config.getClientKeyFile() != null && !config.getClientKeyFile().isBlank()) {
            pem = Files.readString(Path.of(config.getClientKeyFile()), StandardCharsets.US_ASCII);
        } else {
            return;
        }
        String sec1 = sec1IfPkcs8Ec(pem);
        if (sec1 != null) {
            config.setClientKeyData(Base64.getEncoder().encodeToString(sec1.getBytes(StandardCharsets.US_ASCII)));
            config.setClientKeyFile(null);
            config.setClientKeyAlgo("EC");
        }
    }

    /**
     * The SEC1 PEM ({@code ECPrivateKey} with its curve and, when present, its public key, as Go's
     * {@code x509.MarshalECPrivateKey} writes it) of a PKCS#8 EC key; null for any other PEM.
     */
    static String sec1IfPkcs8Ec(String pem) throws IOException {
        Object parsed;
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            parsed = parser.readObject();
        }
        if (!(parsed instanceof PrivateKeyInfo info)
                || !X9ObjectIdentifiers.id_ecPublicKey.equals(info.getPrivateKeyAlgorithm().getAlgorithm())) {
            return null;
        }
        ASN1Sequence inner = ASN1Sequence.getInstance(info.parsePrivateKey());
        ASN1EncodableVector sec1 = new ASN1EncodableVector();
        sec1.add(new ASN1Integer(1));
        sec1.add(inner.getObjectAt(1)); // the private key octets
        sec1.add(new DERTaggedObject(true, 0, info.getPrivateKeyAlgorithm().getParameters()));
        ASN1BitString publicKey = org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(inner).getPublicKey();
        if (publicKey != null) {
            sec1.add(new DERTaggedObject(true, 1, publicKey));
        }
        StringWriter out = new StringWriter();
        try (PemWriter writer = new PemWriter(out)) {
            writer.writeObject(new PemObject("EC PRIVATE KEY", new DERSequence(sec1).getEncoded()));
        }
        return out.toString();
    }
}
