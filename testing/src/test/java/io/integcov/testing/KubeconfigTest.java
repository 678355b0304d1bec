package io.integcov.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KubeconfigTest {
    @Test
    void tokenCaFileAndNamespace(@TempDir Path dir) throws IOException {
        Path file = Kubeconfig.forServer("https://127.0.0.1:6443").caFile(Path.of("/pki/ca.crt")).user("system:admin")
                .token("s3cr\"t").namespace("shop").write(dir.resolve("sub/admin.kubeconfig"));
        assertEquals("""
                apiVersion: v1
                kind: Config
                clusters:
                - name: integcov
                  cluster:
                    server: "https://127.0.0.1:6443"
                    certificate-authority: "/pki/ca.crt"
                users:
                - name: "system:admin"
                  user:
                    token: "s3cr\\"t"
                contexts:
                - name: integcov
                  context:
                    cluster: "integcov"
                    user: "system:admin"
                    namespace: "shop"
                current-context: integcov
                """, Files.readString(file));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    }

    @Test
    void inlineCaAndClientCertificateAreBase64() {
        String yaml = Kubeconfig.forServer("https://h").caPem("CA").clientCertificate("CERT", "KEY").yaml();
        assertEquals(1, count(yaml, "certificate-authority-data: \"Q0E=\""));
        assertEquals(1, count(yaml, "client-certificate-data: \"Q0VSVA==\""));
        assertEquals(1, count(yaml, "client-key-data: \"S0VZ\""));
    }

    private static int count(String text, String part) {
        return text.split(java.util.regex.Pattern.quote(part), -1).length - 1;
    }
}
