package dev.shadowshift.backup.pins;

import org.junit.jupiter.api.Test;

import static dev.shadowshift.backup.pins.PlanPins.Effect.EXTEND;
import static dev.shadowshift.backup.pins.PlanPins.Effect.RELEASE;
import static org.junit.jupiter.api.Assertions.assertEquals;

class PlanPinsTest {

    @Test
    void thePinEndsWhenThePlanCanNoLongerBeRolledBack() {
        assertEquals(RELEASE, PlanPins.after("COMPLETED", "ROLLBACK_WINDOW_CLOSED", "SHADOW_TABLE"));
        assertEquals(RELEASE, PlanPins.after("ROLLED_BACK", "CUTOVER", "MIXED"));
        assertEquals(RELEASE, PlanPins.after("COMPLETED", "IN_PLACE", "IN_PLACE"), "an in-place plan keeps no rollback point");
    }

    @Test
    void anythingElseKeepsItPinnedForLonger() {
        assertEquals(EXTEND, PlanPins.after("COMPLETED", "CUTOVER", "SHADOW_TABLE"), "the rollback point is kept after a cutover");
        assertEquals(EXTEND, PlanPins.after("COMPLETED", "CUTOVER", null), "a plan we know nothing about is not released early");
        assertEquals(EXTEND, PlanPins.after("RUNNING", "SHADOW", "MIXED"));
        assertEquals(EXTEND, PlanPins.after("FAILED", "CUTOVER", "SHADOW_TABLE"), "a failed rollback leaves the window open");
    }
}
