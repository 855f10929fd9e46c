package io.herald.floor;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/** The push resource under {@code /api}, at Herald's own paths so that the same generator drives both. */
@ApplicationPath("/api")
public class FloorApplication extends Application {
}
