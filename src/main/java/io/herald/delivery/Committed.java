package io.herald.delivery;

import io.herald.core.Receipt;

import java.util.List;

/**
 * Durable messages just committed, with their receipts, in commit order: fired by the journal after each
 * of its commits, and by the gateway for messages stored in a caller's transaction (observers then hear of
 * it only once that transaction has committed). Live delivery starts from here.
 */
public record Committed(List<Append> appends, List<Receipt> receipts) {

    public Committed {
        appends = List.copyOf(appends);
        receipts = List.copyOf(receipts);
    }
}
