package dev.shadowshift.migration.shadow;

/** The table has something the shadow path cannot carry over faithfully (an index definition it cannot rebuild, ...). */
public class UnsupportedTable extends ShadowFailure {
    public UnsupportedTable(String message) {
        super(message);
    }
}
