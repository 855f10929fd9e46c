package io.herald.delivery;

import io.herald.background.Timers;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Purges durable messages past {@code herald.durable.retention} or beyond the newest
 * {@code herald.durable.max-per-uid} of their uid (for groups: {@code herald.durable.groups.retention} and
 * {@code herald.durable.groups.max-per-group}), every {@code herald.durable.purge-interval}: a
 * scheduled job, so that no request pays for it.
 */
@ApplicationScoped
public class Retention {

    private static final Logger LOG = Logger.getLogger(Retention.class.getName());

    @Inject
    DurableSettings settings;

    @Inject
    Streams streams;

    @Inject
    Timers timers;

    private ScheduledFuture<?> purges;

    void start(@Observes @Initialized(ApplicationScoped.class) Object started) {
        purges = timers.every("the purge of expired durable messages", settings.purgeInterval().toMillis(),
                this::purge);
    }

    @PreDestroy
    void stop() {
        if (purges != null) {
            purges.cancel(false);
        }
    }

    /**
     * One purge per rule, of the groups it names and no earlier rule does (the first match applies), then
     * one of the other groups by the defaults.
     */
    private List<Streams.GroupPurge> groupPurges(long now) {
        List<Streams.GroupPurge> purges = new ArrayList<>();
        List<String> earlier = new ArrayList<>();
        for (GroupPolicy.Rule rule : settings.groupRules()) {
            purges.add(new Streams.GroupPurge(rule.keyPattern(), List.copyOf(earlier),
                    now - rule.policy().retention().toMillis(), rule.policy().maxPerGroup()));
            earlier.add(rule.keyPattern());
        }
        GroupPolicy defaults = settings.groups();
        purges.add(new Streams.GroupPurge(StreamKey.GROUP_PATTERN, earlier, now - defaults.retention().toMillis(),
                defaults.maxPerGroup()));
        return purges;
    }

    void purge() {
        try {
            long now = System.currentTimeMillis();
            int deleted = streams.purge(now - settings.retention().toMillis(), settings.maxPerUid(),
                    groupPurges(now));
            if (deleted > 0) {
                LOG.fine(() -> "purged " + deleted + " expired durable messages");
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "purging expired durable messages failed; next try in "
                    + settings.purgeInterval(), e);
        }
    }
}
