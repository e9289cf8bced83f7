package dev.shadowshift.migration.shadow;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The pure parts of logical capture: LSNs and transaction ids as the slot reports them. */
class LogicalCaptureUnitTest {

    @Test
    void anLsnReadsAsPostgresPrintsItAndBack() {
        assertEquals(0x16B374D848L, LogicalCapture.lsn("16/B374D848"));
        assertEquals("16/B374D848", LogicalCapture.lsnText(0x16B374D848L));
        assertEquals(0L, LogicalCapture.lsn("0/0"));
        assertEquals("FFFFFFFF/FFFFFFFF", LogicalCapture.lsnText(LogicalCapture.lsn("FFFFFFFF/FFFFFFFF")));
        // the commit positions compare as numbers, not as text
        assertEquals(true, LogicalCapture.lsn("0/A0000000") > LogicalCapture.lsn("0/9FFFFFFF"));
        assertEquals(true, LogicalCapture.lsn("1/0") > LogicalCapture.lsn("0/FFFFFFFF"));
    }

    @Test
    void aThirtyTwoBitTransactionIdWidensToTheOneNearTheSnapshot() {
        assertEquals(1_000L, LogicalCapture.fullXid(1_000, 1_005));
        // not yet completed: at or past xmax, so not visible
        assertEquals(1_005L, LogicalCapture.fullXid(1_005, 1_005));
        assertEquals(1_007L, LogicalCapture.fullXid(1_007, 1_005));
        // across an epoch: xmax in epoch 3, the transaction just before the wrap in epoch 2
        long epoch3 = 3L << 32;
        assertEquals(epoch3 - 10, LogicalCapture.fullXid(0xFFFFFFF6L, epoch3 + 5));
        assertEquals(epoch3 + 3, LogicalCapture.fullXid(3, epoch3 + 5));
    }
}
