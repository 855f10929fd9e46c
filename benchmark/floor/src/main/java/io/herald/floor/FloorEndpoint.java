package io.herald.floor;

import jakarta.inject.Inject;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;

import java.util.List;

/** {@code /ws?uid=NAME}: a client of a uid; it answers Herald's ping frame and nothing else. */
@ServerEndpoint("/ws")
public class FloorEndpoint {

    @Inject
    Sockets sockets;

    private String uid;

    @OnOpen
    public void open(Session session) {
        List<String> values = session.getRequestParameterMap().get("uid");
        uid = values == null || values.isEmpty() ? null : values.get(0);
        sockets.add(uid, session);
        Sockets.send(session, uid == null ? "{\"type\":\"welcome\",\"uid\":null}"
                : "{\"type\":\"welcome\",\"uid\":\"" + uid.replace("\"", "") + "\"}");
    }

    @OnMessage
    public void text(String frame, Session session) {
        if (frame.contains("\"type\":\"ping\"")) {
            Sockets.send(session, "{\"type\":\"pong\"}");
        }
    }

    @OnClose
    public void close(Session session) {
        sockets.remove(uid, session);
    }
}
