package io.herald.security;

import io.herald.config.BadSetting;
import io.herald.config.Settings;

import java.util.List;

/**
 * Who may connect and call: development mode, the REST API keys, anonymous clients, origins, trusted
 * proxies and the relay of client messages (README "Configuration", SECURITY.md).
 *
 * @param devMode                     {@code herald.dev-mode}: clients may claim a uid with {@code ?uid=}, and
 *                                    pages from any origin may connect unless origins are set
 * @param apiKeys                     {@code herald.api.keys}: the REST API keys and their scopes; none: the API
 *                                    is closed
 * @param anonymousEnabled            {@code herald.anonymous.enabled}: clients without a token may connect
 * @param anonymousBindTimeoutSeconds {@code herald.anonymous.bind-timeout-seconds}: an anonymous client still
 *                                    unbound this long is closed (4103)
 * @param allowedOrigins              {@code herald.allowed-origins}: origins whose pages may connect; none:
 *                                    same-origin only (any in development mode)
 * @param trustedProxies              {@code herald.trusted-proxies}: addresses or CIDR blocks of reverse proxies
 *                                    whose X-Forwarded-For is believed (each one an {@link AddressRange})
 * @param relayPolicy                 {@code herald.relay.policy}: which client-to-client messages are relayed
 */
public record SecuritySettings(boolean devMode, ApiKeys apiKeys, boolean anonymousEnabled,
                               int anonymousBindTimeoutSeconds, List<String> allowedOrigins,
                               List<String> trustedProxies, RelayPolicy relayPolicy) {

    private static final String API_KEYS = "herald.api.keys";
    private static final String RELAY_POLICY = "herald.relay.policy";
    private static final String TRUSTED_PROXIES = "herald.trusted-proxies";

    public static SecuritySettings from(Settings settings) {
        ApiKeys keys = ApiKeys.parse(settings.list(API_KEYS));
        if (!keys.problems().isEmpty()) {
            // The value holds the keys themselves: the message names the entry, never its text.
            throw BadSetting.secret(API_KEYS, "comma-separated entries key or key:scope+scope, scopes push,"
                    + " query and admin (" + keys.problems().get(0) + ")");
        }
        List<String> proxies = settings.list(TRUSTED_PROXIES);
        for (String proxy : proxies) {
            try {
                AddressRange.parse(proxy);
            } catch (IllegalArgumentException e) {
                throw new BadSetting(TRUSTED_PROXIES, String.join(",", proxies),
                        "comma-separated IP addresses or CIDR blocks (" + e.getMessage() + ")");
            }
        }
        String relay = settings.text(RELAY_POLICY, "none");
        RelayPolicy policy;
        try {
            policy = RelayPolicy.parse(relay);
        } catch (IllegalArgumentException e) {
            throw new BadSetting(RELAY_POLICY, relay, "none, or a comma-separated list of uids, groups-member,"
                    + " groups and all");
        }
        return new SecuritySettings(
                settings.flag("herald.dev-mode", false),
                keys,
                settings.flag("herald.anonymous.enabled", false),
                settings.integer("herald.anonymous.bind-timeout-seconds", 30, 1),
                settings.list("herald.allowed-origins"),
                proxies,
                policy);
    }

    /** The trusted proxies, parsed (each was checked at start). */
    public List<AddressRange> proxyRanges() {
        return trustedProxies.stream().map(AddressRange::parse).toList();
    }

    /** Without the API keys, which must not reach a log. */
    @Override
    public String toString() {
        return "SecuritySettings[devMode=" + devMode + ", apiKeys=" + (apiKeys.isEmpty() ? "none" : "set")
                + ", anonymousEnabled=" + anonymousEnabled + ", anonymousBindTimeoutSeconds="
                + anonymousBindTimeoutSeconds + ", allowedOrigins=" + allowedOrigins + ", trustedProxies="
                + trustedProxies + ", relayPolicy=" + relayPolicy + "]";
    }
}
