package io.herald.security;

import io.herald.cluster.ClusterBusy;
import io.herald.routing.Client;
import io.herald.routing.Frames;
import io.herald.gateway.ClientEvents;
import io.herald.gateway.ClientMessage;
import io.herald.gateway.Gateway;
import io.herald.metrics.Metrics;
import io.herald.core.Names;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;


/**
 * Client-to-client messages: {@code {"type":"send","to":{"uid":…}|{"group":…},"data":…}}. Relayed when
 * {@code herald.relay.policy} allows it, refused with an error frame otherwise; fired as a
 * {@link ClientMessage} event in both cases, so that the application can decide on its own.
 *
 * <p>The recipients get {@code {"type":"message","id":…,"from":<sender's uid>,"to":{…},"data":…}}. The
 * server writes {@code from} from the uid the sender is bound to; whatever the sender's frame says
 * besides {@code to} and {@code data} is ignored. A relay is ephemeral (the clients online now, on every
 * node, as the gateway's ephemeral sends; never the durable store) and skips the sending client itself.
 */
@ApplicationScoped
public class Relay {

    @Inject
    SecuritySettings security;

    @Inject
    Gateway gateway;

    @Inject
    Metrics metrics;

    @Inject
    ClientEvents events;


    public void send(Client sender, JsonObject frame) {
        JsonValue data = frame.get("data");
        if (data == null || !(frame.get("to") instanceof JsonObject to) || to.size() != 1
                || !(to.get("uid") instanceof JsonString || to.get("group") instanceof JsonString)) {
            sender.send(Frames.error("bad_frame",
                    "a send frame needs \"to\": {\"uid\": …} or {\"group\": …}, and \"data\""));
            return;
        }
        String uid = to.get("uid") instanceof JsonString s ? s.getString() : null;
        String group = to.get("group") instanceof JsonString s ? s.getString() : null;
        if (uid != null && !Names.validName(uid)) {
            sender.send(Frames.error("bad_uid", "not a valid uid"));
            return;
        }
        if (group != null && !Names.validName(group)) {
            sender.send(Frames.error("bad_group", "not a valid group name"));
            return;
        }
        metrics.messagesIn().inc();
        String from = sender.uid();
        boolean relayed = false;
        if (from == null) {
            sender.send(Frames.error("not_bound", "only a client bound to a uid may send to others"));
        } else if (uid != null ? security.relayPolicy().toUid() : security.relayPolicy().toGroup(group, sender.groups())) {
            try {
                gateway.relay(sender.id(), from, to, uid, group, data);
                relayed = true;
            } catch (ClusterBusy busy) {
                sender.send(Frames.error(busy.code(), "not relayed: " + busy.getMessage()));
            }
        } else {
            sender.send(Frames.error("relay_forbidden", uid != null
                    ? "this server does not relay messages to uids (herald.relay.policy)"
                    : "this server does not relay messages to this group (herald.relay.policy)"));
        }
        events.message(new ClientMessage(sender.id(), from, sender.session(), data, to, relayed));
    }
}
