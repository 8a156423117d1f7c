// Letter Kiosk: the bottom row of every letter layout here (&123, language, space, Enter, hide).
// In an email field the comma and apostrophe give way to "@" and "-" (long press: "_"), so an
// address is typed without leaving the letters; everywhere else the apostrophe is a key of
// its own (l'homme, d'une, don't) and the hyphen of Marie-Ève is its long press.
// The keys keep the same places and sizes in both cases: only their labels change.
import QtQuick
import QtQuick.Layouts
import QtQuick.VirtualKeyboard
import QtQuick.VirtualKeyboard.Components

KeyboardRow {
    id: row
    // The width of one letter key, given by the layout. &123 and Enter are 1.25 of it, not the
    // 1.5 of Shift and Backspace above them: the space bar, the key a letter uses most, gets
    // the difference (and room for the language name Qt writes on it).
    property real keyUnit
    readonly property bool emailField:
        (InputContext.inputMethodHints & Qt.ImhEmailCharactersOnly) !== 0

    SymbolModeKey {
        weight: row.keyUnit * 1.25
        Layout.fillWidth: false
    }
    ChangeLanguageKey {
        weight: row.keyUnit
        Layout.fillWidth: false
    }
    Key {
        visible: !row.emailField
        text: ","
        alternativeKeys: ",;:"
        weight: row.keyUnit
        Layout.fillWidth: false
    }
    Key {
        visible: row.emailField
        text: "@"
        weight: row.keyUnit
        Layout.fillWidth: false
    }
    SpaceKey {
    }
    Key {
        visible: !row.emailField
        text: "'"
        alternativeKeys: "'-\u2019"
        smallTextVisible: true
        weight: row.keyUnit
        Layout.fillWidth: false
    }
    Key {
        visible: row.emailField
        text: "-"
        alternativeKeys: "-_"
        smallTextVisible: true
        weight: row.keyUnit
        Layout.fillWidth: false
    }
    Key {
        visible: !row.emailField
        text: "."
        alternativeKeys: ".?!"
        smallTextVisible: true
        weight: row.keyUnit
        Layout.fillWidth: false
    }
    // An address has no use for "?" or "!": its full stop has nothing to mistake on a long press.
    Key {
        visible: row.emailField
        text: "."
        weight: row.keyUnit
        Layout.fillWidth: false
    }
    HideKeyboardKey {
        weight: row.keyUnit
        Layout.fillWidth: false
    }
    EnterKey {
        weight: row.keyUnit * 1.25
        Layout.fillWidth: false
    }
}
