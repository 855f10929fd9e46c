package io.herald.webhook;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * The one row of the scan for unacknowledged messages: how far it has looked (by the messages' creation
 * time), and the lease that lets one node at a time scan.
 */
@Entity
@Table(name = "herald_webhook_scan")
public class ScanState {

    static final int ID = 1;

    @Id
    @Column(name = "id")
    private int id;

    @Column(name = "scanned_to", nullable = false)
    private long scannedTo;

    @Column(name = "lease_owner", length = 32)
    private String leaseOwner;

    @Column(name = "lease_until", nullable = false)
    private long leaseUntil;

    protected ScanState() {
    }

    long scannedTo() {
        return scannedTo;
    }

    void scannedTo(long to) {
        scannedTo = Math.max(scannedTo, to);
    }
}
