// Letter Kiosk: Canadian French letters (QWERTY, as on keyboards sold in Quebec).
// "é", the most frequent accent in French, has a key of its own at the end of the middle row;
// the apostrophe (l'homme, d'une) is on the bottom row (BottomRow.qml). Every other French
// accent is a long press on its letter: à â æ, ç, è ê ë, î ï, ô œ, ù û ü, ÿ (capitals after
// Shift). Email and postal-code fields add a row of digits on top (DigitRow.qml).
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
        Key { id: unitKey; text: "q" }
        Key { text: "w" }
        Key { text: "e"; alternativeKeys: "eéèêë" }
        Key { text: "r" }
        Key { text: "t" }
        Key { text: "y"; alternativeKeys: "yÿ" }
        Key { text: "u"; alternativeKeys: "uùûü" }
        Key { text: "i"; alternativeKeys: "iîï" }
        Key { text: "o"; alternativeKeys: "oôœ" }
        Key { text: "p" }
    }
    // Ten keys, no indent: "é" takes the place of the half-key indents.
    KeyboardRow {
        Key { text: "a"; alternativeKeys: "aàâæ" }
        Key { text: "s" }
        Key { text: "d" }
        Key { text: "f" }
        Key { text: "g" }
        Key { text: "h" }
        Key { text: "j" }
        Key { text: "k" }
        Key { text: "l" }
        Key { text: "é" }
    }
    KeyboardRow {
        ShiftKey {
            weight: layout.keyUnit * 1.5
            Layout.fillWidth: false
        }
        Key { text: "z" }
        Key { text: "x" }
        Key { text: "c"; alternativeKeys: "cç" }
        Key { text: "v" }
        Key { text: "b" }
        Key { text: "n" }
        Key { text: "m" }
        BackspaceKey {
            weight: layout.keyUnit * 1.5
            Layout.fillWidth: false
        }
    }
    BottomRow {
        keyUnit: layout.keyUnit
    }
}
