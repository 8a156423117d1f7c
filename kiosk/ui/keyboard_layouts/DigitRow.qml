// Letter Kiosk: the row of digits over the letters, shared by every letter layout here.
// It shows only for the fields that need digits and letters together: an email address
// (jean.tremblay62@...) and a Canadian postal code (K1A 0A6). Names and the letter keep
// the plain layout, with taller keys, since a stray digit there is a typo.
// A field asking for numbers only gets it too: this folder replaces all of Qt's layouts and
// has no number pad, so Qt falls back to the letters for such a field. (A field that only
// prefers numbers opens on the &123 page by itself.)
import QtQuick
import QtQuick.VirtualKeyboard
import QtQuick.VirtualKeyboard.Components

KeyboardRow {
    visible: (InputContext.inputMethodHints
              & (Qt.ImhEmailCharactersOnly | Qt.ImhUppercaseOnly | Qt.ImhDigitsOnly
                 | Qt.ImhFormattedNumbersOnly | Qt.ImhDialableCharactersOnly)) !== 0

    Key { text: "1" }
    Key { text: "2" }
    Key { text: "3" }
    Key { text: "4" }
    Key { text: "5" }
    Key { text: "6" }
    Key { text: "7" }
    Key { text: "8" }
    Key { text: "9" }
    Key { text: "0" }
}
