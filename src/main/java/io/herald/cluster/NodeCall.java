package io.herald.cluster;

import io.herald.gateway.LocalGateway;

import java.io.Serializable;

/**
 * Work for one node: runs against that node's {@link LocalGateway}. It travels between nodes, so what
 * it captures and returns must be serializable (strings, lists, JSON as text).
 */
@FunctionalInterface
public interface NodeCall<T> extends Serializable {
    T run(LocalGateway node);
}
