package io.herald.delivery;

import io.herald.config.Settings;

import java.time.Duration;
import java.util.List;

/**
 * The durable store's settings ({@code herald.durable.*}, README "Configuration").
 *
 * @param retention      how long durable messages are kept
 * @param maxPerUid      newest durable messages kept per uid
 * @param purgeInterval  how often expired messages are purged
 * @param batchSize      most pushes stored in one transaction (group commit)
 * @param queueCapacity  durable pushes that may wait to be stored; more get 503 store_busy
 * @param queueMaxBytes  characters of JSON data (and uids and keys) that the pushes waiting to be stored may
 *                       hold together; a push that would pass it gets 503 store_busy. Bytes for ASCII text.
 * @param replayPage     messages read per query during a replay
 * @param pageMaxBytes   most characters of message data read from the store at once: one page of a replay or
 *                       catch-up, or of a history request (always at least one message, however large)
 * @param ackFlushMillis how often acknowledgements are written
 * @param groups         the groups' retention and join-last, unless a rule names the group
 * @param groupRules     {@code herald.durable.groups.rules}: policies by group name pattern, first match wins
 */
public record DurableSettings(Duration retention, long maxPerUid, Duration purgeInterval, int batchSize,
                              int queueCapacity, long queueMaxBytes, int replayPage, long pageMaxBytes,
                              long ackFlushMillis, GroupPolicy groups, List<GroupPolicy.Rule> groupRules) {

    public DurableSettings {
        groupRules = List.copyOf(groupRules);
    }

    /** The policy of this group: the first rule that names it, else the defaults. */
    public GroupPolicy groupPolicy(String group) {
        for (GroupPolicy.Rule rule : groupRules) {
            if (rule.matches(group)) {
                return rule.policy();
            }
        }
        return groups;
    }

    /** Whether some group gets messages on joining: if none does, a join reads nothing. */
    public boolean anyJoinLast() {
        return groups.joinLast() > 0 || groupRules.stream().anyMatch(rule -> rule.policy().joinLast() > 0);
    }

    public static DurableSettings from(Settings settings) {
        GroupPolicy groups = new GroupPolicy(
                settings.duration("herald.durable.groups.retention", "P1D"),
                settings.number("herald.durable.groups.max-per-group", 1000, 1),
                settings.integer("herald.durable.groups.join-last", 0, 0, GroupPolicy.MAX_JOIN_LAST));
        return new DurableSettings(
                settings.duration("herald.durable.retention", "P7D"),
                settings.number("herald.durable.max-per-uid", 10000, 1),
                settings.duration("herald.durable.purge-interval", "PT10M"),
                settings.integer("herald.durable.batch-size", 500, 1),
                settings.integer("herald.durable.queue-capacity", 20000, 1),
                settings.number("herald.durable.queue-max-bytes", 67108864, 1),
                settings.integer("herald.durable.replay-page", 200, 1),
                settings.number("herald.durable.page-max-bytes", 524288, 1),
                settings.number("herald.durable.ack-flush-millis", 200, 10),
                groups,
                GroupPolicy.rules(settings.list(GroupPolicy.RULES_KEY), groups));
    }
}
