package io.herald.gateway;

import io.herald.delivery.DurableSettings;
import io.herald.core.Names;
import io.herald.delivery.StoredMessage;
import io.herald.delivery.Stream;
import io.herald.delivery.StreamKey;
import io.herald.delivery.Streams;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.List;

/** The durable store as the backend reads it: a uid's or a group's stream and its stored messages. */
@ApplicationScoped
public class History {

    @Inject
    Streams streams;

    @Inject
    DurableSettings durable;

    /**
     * Up to {@code limit} stored messages of the uid after {@code since}, oldest first, and no more than
     * hold {@code herald.durable.page-max-bytes} of data together (at least one): the caller pages on from
     * the last seq it got.
     */
    public List<StoredMessage> history(String uid, long since, int limit) {
        return streams.read(Names.uid(uid), since, limit, durable.pageMaxBytes(), true).messages();
    }

    /** The uid's stream, or null if nothing was ever stored for it. */
    public Stream stream(String uid) {
        return streams.stream(Names.uid(uid));
    }

    /** {@link #history} of a group's stream. */
    public List<StoredMessage> groupHistory(String group, long since, int limit) {
        return streams.read(StreamKey.group(Names.group(group)), since, limit, durable.pageMaxBytes(), true).messages();
    }

    /** The group's stream, or null if no durable message was ever sent to it. */
    public Stream groupStream(String group) {
        return streams.stream(StreamKey.group(Names.group(group)));
    }
}
