package io.herald.health;

import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/** One named health check: UP while its probe says so, DOWN when it says otherwise or fails. */
public record Check(String name, BooleanSupplier probe) {

    private static final Logger LOG = Logger.getLogger(Check.class.getName());

    public boolean up() {
        try {
            return probe.getAsBoolean();
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "health check " + name + " failed", e);
            return false;
        }
    }
}
