"""One module per step of the visitor journey. Pages render the journey's state; they never
own it: every edit goes to ``Journey.update`` at once, so switching language or page loses
nothing."""
