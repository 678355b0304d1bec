package io.integcov.webhook;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509KeyManager;

/**
 * The HTTPS server's key manager, whose key pair can be replaced while the server runs: every TLS handshake asks it
 * for the current pair, so a renewed certificate is served from the next handshake on and no connection is ever
 * refused meanwhile (replacing the server's SSL options instead leaves a window in which Vert.x resets new
 * connections). The alias handed out names the generation it came from, so a handshake that chose its alias just
 * before a swap still gets that generation's certificate and key, never a certificate of one pair with the key of
 * the other.
 */
final class ReloadingKeyManager extends X509ExtendedKeyManager {
    private record Generation(long id, X509KeyManager keys) {
    }

    private volatile Generation current;
    private volatile Generation previous;

    /** Serves {@code keys} from the next handshake on. */
    synchronized void use(X509KeyManager keys) {
        Generation now = current;
        previous = now;
        current = new Generation(now == null ? 1 : now.id() + 1, keys);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        Generation g = current;
        return g == null ? null : qualified(g, g.keys().chooseServerAlias(keyType, issuers, socket));
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        Generation g = current;
        if (g == null) {
            return null;
        }
        String alias = g.keys() instanceof X509ExtendedKeyManager extended
                ? extended.chooseEngineServerAlias(keyType, issuers, engine)
                : g.keys().chooseServerAlias(keyType, issuers, null);
        return qualified(g, alias);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        Generation g = current;
        String[] aliases = g == null ? null : g.keys().getServerAliases(keyType, issuers);
        if (aliases == null) {
            return null;
        }
        String[] out = new String[aliases.length];
        for (int i = 0; i < aliases.length; i++) {
            out[i] = qualified(g, aliases[i]);
        }
        return out;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        Generation g = generation(alias);
        return g == null ? null : g.keys().getCertificateChain(inner(alias));
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        Generation g = generation(alias);
        return g == null ? null : g.keys().getPrivateKey(inner(alias));
    }

    /** A server never presents a client certificate. */
    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return null;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return null;
    }

    private static String qualified(Generation g, String alias) {
        return alias == null ? null : g.id() + ":" + alias;
    }

    private Generation generation(String alias) {
        int colon = alias == null ? -1 : alias.indexOf(':');
        if (colon < 0) {
            return null;
        }
        String id = alias.substring(0, colon);
        for (Generation g : new Generation[] {current, previous}) {
            if (g != null && Long.toString(g.id()).equals(id)) {
                return g;
            }
        }
        return null;
    }

    private static String inner(String alias) {
        return alias.substring(alias.indexOf(':') + 1);
    }
}
