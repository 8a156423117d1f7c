// Letter Kiosk: English letters (QWERTY), the layout en_CA uses (en_CA/main.fallback points here).
// Long press on a vowel, c, n or s gives its accented forms, for names like Zoë, José or
// Renée. Email and postal-code fields add a row of digits on top (DigitRow.qml); an email
// field gets "@" on the bottom row (BottomRow.qml).
import QtQuick
import QtQuick.Layouts
import QtQuick.VirtualKeyboard
import QtQuick.VirtualKeyboard.Components
import ".."

KeyboardLayout {
    id: layout
    inputMode: InputEngine.InputMode.Latin
    keyWeight: 160
    smallTextVisible: false
    // Every letter key is as wide as "q"; the wide keys and the half-key indents are set from it.
    readonly property real keyUnit: unitKey.width

    DigitRow {
    }
    KeyboardRow {
        Key { id: unitKey; text: "q" }
        Key { text: "w" }
        Key { text: "e"; alternativeKeys: "eéèêë" }
        Key { text: "r" }
        Key { text: "t" }
        Key { text: "y"; alternativeKeys: "yýÿ" }
        Key { text: "u"; alternativeKeys: "uüúùû" }
        Key { text: "i"; alternativeKeys: "iïíìî" }
        Key { text: "o"; alternativeKeys: "oöóòôøœ" }
        Key { text: "p" }
    }
    KeyboardRow {
        FillerKey {
            weight: layout.keyUnit / 2
            Layout.fillWidth: false
        }
        Key { text: "a"; alternativeKeys: "aáàâäåæ" }
        Key { text: "s"; alternativeKeys: "sß" }
        Key { text: "d" }
        Key { text: "f" }
        Key { text: "g" }
        Key { text: "h" }
        Key { text: "j" }
        Key { text: "k" }
        Key { text: "l" }
        FillerKey {
            weight: layout.keyUnit / 2
            Layout.fillWidth: false
        }
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
        Key { text: "n"; alternativeKeys: "nñ" }
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
