package io.integcov.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vertx.core.Vertx;
import io.vertx.core.net.PemKeyCertOptions;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import javax.net.ssl.X509KeyManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A handshake gets the certificate and key of one pair, even when the pair is replaced in the middle of it. */
class ReloadingKeyManagerTest {
    private static Vertx vertx;
    private static X509KeyManager first;
    private static X509KeyManager renewed;

    @BeforeAll
    static void load() throws Exception {
        vertx = Vertx.vertx();
        first = keys("src/test/resources/tls");
        renewed = keys("src/test/resources/tls-renewed");
    }

    @AfterAll
    static void close() {
        vertx.close();
    }

    @Test
    void anAliasChosenBeforeASwapStillGivesItsOwnPair() {
        ReloadingKeyManager manager = new ReloadingKeyManager();
        assertNull(manager.chooseEngineServerAlias("RSA", null, null), "nothing to serve yet");
        manager.use(first);
        String before = manager.chooseEngineServerAlias("RSA", null, null);
        manager.use(renewed);
        String after = manager.chooseEngineServerAlias("RSA", null, null);

        assertNotEquals(before, after);
        assertEquals(first.getCertificateChain(first.chooseServerAlias("RSA", null, null))[0],
                manager.getCertificateChain(before)[0]);
        assertEquals(renewed.getCertificateChain(renewed.chooseServerAlias("RSA", null, null))[0],
                manager.getCertificateChain(after)[0]);
        assertMatches(manager, before);
        assertMatches(manager, after);
        assertNull(manager.getPrivateKey("no-generation"));
    }

    @Test
    void onlyTheLastTwoPairsAreKept() {
        ReloadingKeyManager manager = new ReloadingKeyManager();
        manager.use(first);
        String oldest = manager.chooseServerAlias("RSA", null, null);
        manager.use(renewed);
        manager.use(first);
        assertNull(manager.getCertificateChain(oldest), "a handshake does not outlive two reloads");
    }

    private static void assertMatches(ReloadingKeyManager manager, String alias) {
        RSAPublicKey certificateKey = (RSAPublicKey) manager.getCertificateChain(alias)[0].getPublicKey();
        assertEquals(certificateKey.getModulus(), ((RSAPrivateCrtKey) manager.getPrivateKey(alias)).getModulus(),
                "the private key of the same pair as the certificate");
    }

    private static X509KeyManager keys(String dir) throws Exception {
        return (X509KeyManager) new PemKeyCertOptions().setCertPath(dir + "/tls.crt").setKeyPath(dir + "/tls.key")
                .getKeyManagerFactory(vertx).getKeyManagers()[0];
    }
}
