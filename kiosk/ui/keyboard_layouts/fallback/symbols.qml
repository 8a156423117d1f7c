// Letter Kiosk: the "&123" page, for every language (en_CA, fr_CA and fr_FR point here).
// Digits and the punctuation a letter or an address needs, with French quotation marks « »
// as keys of their own; a long press gives the rarer forms (’ on ', € on $, _ on -, and so on).
// ABC goes back to the letters.
import QtQuick
import QtQuick.Layouts
import QtQuick.VirtualKeyboard
import QtQuick.VirtualKeyboard.Components

KeyboardLayout {
    id: layout
    keyWeight: 160
    smallTextVisible: true
    readonly property real keyUnit: unitKey.width

    KeyboardRow {
        Key { id: unitKey; text: "1" }
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
    KeyboardRow {
        Key { text: "@" }
        Key { text: "#"; alternativeKeys: "#§" }
        Key { text: "$"; alternativeKeys: "$€£¢" }
        Key { text: "%" }
        Key { text: "&" }
        Key { text: "*"; alternativeKeys: "*^~" }
        Key { text: "-"; alternativeKeys: "-_–—" }
        Key { text: "+"; alternativeKeys: "+=" }
        Key { text: "("; alternativeKeys: "([{<" }
        Key { text: ")"; alternativeKeys: ")]}>" }
    }
    KeyboardRow {
        Key { text: "'"; alternativeKeys: "'’‘" }
        Key { text: "\""; alternativeKeys: "\"“”" }
        Key { text: ":" }
        Key { text: ";" }
        Key { text: "!"; alternativeKeys: "!¡" }
        Key { text: "?"; alternativeKeys: "?¿" }
        Key { text: "/"; alternativeKeys: "/\\|" }
        Key { text: "«" }
        Key { text: "»" }
        BackspaceKey {
        }
    }
    KeyboardRow {
        SymbolModeKey {
            displayText: "ABC"
            // Where &123 is on the letters (BottomRow.qml), so the same spot goes back.
            weight: layout.keyUnit * 1.25
            Layout.fillWidth: false
        }
        ChangeLanguageKey {
            weight: layout.keyUnit
            Layout.fillWidth: false
        }
        Key {
            text: ","
            weight: layout.keyUnit
            Layout.fillWidth: false
        }
        SpaceKey {
        }
        Key {
            text: "."
            weight: layout.keyUnit
            Layout.fillWidth: false
        }
        HideKeyboardKey {
            weight: layout.keyUnit
            Layout.fillWidth: false
        }
        EnterKey {
            weight: layout.keyUnit * 1.25
            Layout.fillWidth: false
        }
    }
}
