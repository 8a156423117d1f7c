// Letter Kiosk: French letters on AZERTY, for campaigns that set french_keyboard = "fr_FR".
// "é", the most frequent accent in French, has a key of its own after "n" (on a French
// keyboard it sits on the 2 key); the apostrophe (l'homme, d'une) is on the bottom row
// (BottomRow.qml). Every other French accent is a long press on its letter: à â æ, ç, è ê ë,
// î ï, ô œ, ù û ü, ÿ (capitals after Shift). Email and postal-code fields add a row of digits
// on top (DigitRow.qml).
import QtQuick
import QtQuick.Layouts
import QtQuick.VirtualKeyboard
import QtQuick.VirtualKeyboard.Components
import ".."

KeyboardLayout {
    id: layout
    inputMode: InputEngine.InputMode.Latin
    keyWeight: 160
    // The corner of a key shows its first accent: a hint that a long press gives more.
    smallTextVisible: true
    readonly property real keyUnit: unitKey.width

    DigitRow {
    }
    KeyboardRow {
        Key { id: unitKey; text: "a"; alternativeKeys: "aàâæ" }
        Key { text: "z" }
        Key { text: "e"; alternativeKeys: "eéèêë" }
        Key { text: "r" }
        Key { text: "t" }
        Key { text: "y"; alternativeKeys: "yÿ" }
        Key { text: "u"; alternativeKeys: "uùûü" }
        Key { text: "i"; alternativeKeys: "iîï" }
        Key { text: "o"; alternativeKeys: "oôœ" }
        Key { text: "p" }
    }
    KeyboardRow {
        Key { text: "q" }
        Key { text: "s" }
        Key { text: "d" }
        Key { text: "f" }
        Key { text: "g" }
        Key { text: "h" }
        Key { text: "j" }
        Key { text: "k" }
        Key { text: "l" }
        Key { text: "m" }
    }
    KeyboardRow {
        ShiftKey {
            weight: layout.keyUnit * 1.5
            Layout.fillWidth: false
        }
        Key { text: "w" }
        Key { text: "x" }
        Key { text: "c"; alternativeKeys: "cç" }
        Key { text: "v" }
        Key { text: "b" }
        Key { text: "n" }
        Key { text: "é" }
        BackspaceKey {
            weight: layout.keyUnit * 1.5
            Layout.fillWidth: false
        }
    }
    BottomRow {
        keyUnit: layout.keyUnit
    }
}
