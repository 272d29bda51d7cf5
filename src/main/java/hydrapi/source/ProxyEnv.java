// SPDX-License-Identifier: Apache-2.0
package hydrapi.source;

import hydrapi.InvalidInputException;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The proxy settings every download tool reads from the environment, as curl and wget read them: {@code https_proxy}
 * for https URLs, {@code http_proxy} for http ones ({@code all_proxy} for either when those are unset; lower case
 * first, then upper case), and {@code no_proxy}, a comma-separated list of host names or domain suffixes ({@code *}
 * for all) reached directly. Loopback hosts are always reached directly. Only HTTP proxies without credentials are
 * supported (the JDK's HTTP client speaks no SOCKS and, by default, no Basic authentication through a tunnel): any
 * other setting is refused by name rather than ignored.
 */
final class ProxyEnv extends ProxySelector {

    private final InetSocketAddress https;
    private final InetSocketAddress http;
    private final List<String> noProxy;

    private ProxyEnv(InetSocketAddress https, InetSocketAddress http, List<String> noProxy) {
        this.https = https;
        this.http = http;
        this.noProxy = noProxy;
    }

    /** The selector {@code env} describes, or null when it names no proxy at all. */
    static ProxyEnv of(Map<String, String> env) throws InvalidInputException {
        InetSocketAddress all = address(env, "all_proxy");
        InetSocketAddress https = address(env, "https_proxy");
        InetSocketAddress http = address(env, "http_proxy");
        https = https != null ? https : all;
        http = http != null ? http : all;
        if (https == null && http == null) {
            return null;
        }
        List<String> no = new ArrayList<>();
        String list = get(env, "no_proxy");
        if (list != null) {
            for (String e : list.split(",")) {
                String h = e.strip().toLowerCase(Locale.ROOT);
                // "host:port" and "[::1]:port": the port does not matter for the decision.
                if (h.startsWith("[")) {
                    h = h.substring(1, Math.max(1, h.indexOf(']')));
                } else if (h.indexOf(':') == h.lastIndexOf(':') && h.indexOf(':') > 0) {
                    h = h.substring(0, h.indexOf(':'));
                }
                if (!h.isEmpty()) {
                    no.add(h.startsWith(".") ? h.substring(1) : h);
                }
            }
        }
        return new ProxyEnv(https, http, List.copyOf(no));
    }

    private static String get(Map<String, String> env, String name) {
        String v = env.get(name);
        if (v == null || v.isBlank()) {
            v = env.get(name.toUpperCase(Locale.ROOT));
        }
        return v == null || v.isBlank() ? null : v.strip();
    }

    private static InetSocketAddress address(Map<String, String> env, String name) throws InvalidInputException {
        String v = get(env, name);
        if (v == null) {
            return null;
        }
        URI u;
        try {
            u = new URI(v.contains("://") ? v : "http://" + v);
        } catch (URISyntaxException e) {
            throw new InvalidInputException(name + "=" + v + ": not a proxy URL (http://HOST:PORT)");
        }
        if (!"http".equalsIgnoreCase(u.getScheme())) {
            throw new InvalidInputException(name + "=" + v + ": only HTTP proxies (http://HOST:PORT) are supported,"
                    + " not " + u.getScheme() + "; unset it or point it at an HTTP proxy");
        }
        if (u.getRawUserInfo() != null) {
            throw new InvalidInputException(name + ": a proxy that needs a user name and password is not supported;"
                    + " use one that does not, or download the base yourself and give the file");
        }
        if (u.getHost() == null) {
            throw new InvalidInputException(name + "=" + v + ": no host in the proxy URL (http://HOST:PORT)");
        }
        return InetSocketAddress.createUnresolved(u.getHost(), u.getPort() > 0 ? u.getPort() : 80);
    }

    @Override
    public List<Proxy> select(URI uri) {
        InetSocketAddress p = "https".equalsIgnoreCase(uri.getScheme()) ? https : http;
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        if (p == null || direct(host)) {
            return List.of(Proxy.NO_PROXY);
        }
        return List.of(new Proxy(Proxy.Type.HTTP, p));
    }

    private boolean direct(String host) {
        if (host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]") || host.equals("::1")) {
            return true;
        }
        for (String n : noProxy) {
            if (n.equals("*") || host.equals(n) || host.endsWith("." + n)) {
                return true;
            }
        }
        return false;
    }

    /** Which proxy a URL goes through, for messages: "through proxy HOST:PORT" or "". */
    String describe(URI uri) {
        Proxy p = select(uri).get(0);
        if (p.type() == Proxy.Type.DIRECT) {
            return "";
        }
        InetSocketAddress a = (InetSocketAddress) p.address();
        return " through proxy " + a.getHostString() + ":" + a.getPort();
    }

    @Override
    public void connectFailed(URI uri, SocketAddress sa, IOException ioe) {
        // The download reports the failure itself, naming the proxy.
    }
}
