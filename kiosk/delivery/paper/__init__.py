"""Paper: letters, envelopes and label sheets as PDF pages for an ordinary office printer.

``fonts``       the embedded font and the cleaner that makes any text drawable with it
``geometry``    page, envelope and label-sheet sizes, and where an envelope's window falls
``letter_pdf``  a letter laid out for a window envelope (the full letter, the export's pages)
``envelopes``   recipients' addresses on envelopes or on a sheet of labels

Qt-free: the kiosk prints these through CUPS, and the export writes them to a stick.
"""
