package io.herald.gateway;

import io.herald.cluster.NodeCall;

/** A call to one node's {@link LocalGateway}, the gateway's side of a node in the cluster. */
@FunctionalInterface
interface GatewayCall<T> extends NodeCall<LocalGateway, T> {
}
