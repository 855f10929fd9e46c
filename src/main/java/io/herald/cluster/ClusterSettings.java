package io.herald.cluster;

import io.herald.config.Settings;

import java.util.List;
import java.util.Optional;

/**
 * The cluster's settings ({@code herald.cluster.*}, README "Configuration"), read also when the cluster is
 * off, so that a bad value is found before the day it is switched on.
 *
 * @param enabled               join other nodes with an embedded Hazelcast member
 * @param name                  nodes join only a cluster of the same name
 * @param members               members to join, as host or host:port (TCP/IP discovery)
 * @param networkInterface      the address this member binds and announces ({@code herald.cluster.interface})
 * @param port                  this member's port
 * @param multicast             discover members by multicast
 * @param kubernetesServiceDns  the DNS name of a headless Kubernetes service whose pods are the members
 * @param failureTimeoutSeconds a silent member is declared dead after this long
 * @param callTimeoutSeconds    how long a node waits for another node's answer
 * @param maxPendingBytes       characters of sends, relays and committed messages this node may have on their
 *                              way to one other node and not yet run there; more gets 503 cluster_busy
 */
public record ClusterSettings(boolean enabled, String name, List<String> members, String networkInterface, int port,
                              boolean multicast, Optional<String> kubernetesServiceDns, int failureTimeoutSeconds,
                              int callTimeoutSeconds, long maxPendingBytes) {

    public static ClusterSettings from(Settings settings) {
        return new ClusterSettings(
                settings.flag("herald.cluster.enabled", false),
                settings.text("herald.cluster.name", "herald"),
                settings.list("herald.cluster.members"),
                settings.text("herald.cluster.interface", "127.0.0.1"),
                settings.integer("herald.cluster.port", 5701, 1, 65535),
                settings.flag("herald.cluster.multicast", false),
                settings.text("herald.cluster.kubernetes.service-dns"),
                settings.integer("herald.cluster.failure-timeout-seconds", 8, 2),
                settings.integer("herald.cluster.call-timeout-seconds", 10, 1),
                settings.number("herald.cluster.max-pending-bytes", 67108864, 1));
    }

    /** As the settings write it, for the startup report. */
    @Override
    public String toString() {
        return "ClusterSettings[enabled=" + enabled + ", name=" + name + ", members=" + members + ", networkInterface="
                + networkInterface + ", port=" + port + ", multicast=" + multicast + ", kubernetesServiceDns="
                + kubernetesServiceDns.orElse("none") + ", failureTimeoutSeconds=" + failureTimeoutSeconds
                + ", callTimeoutSeconds=" + callTimeoutSeconds + ", maxPendingBytes=" + maxPendingBytes + "]";
    }
}
