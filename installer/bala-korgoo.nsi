; Installer of Bala Korgoo (NSIS 3, Modern UI 2), compiled by installer/build.py:
;
;   makensis -INPUTCHARSET UTF8 -DVERSION=0.1.0 -DDIST_DIR=build\dist\bala-korgoo
;            -DOUT_FILE=build\BalaKorgoo-0.1.0-setup.exe installer\bala-korgoo.nsi
;
; For all users in Program Files (the default) or for the current user only; Start-menu and
; desktop shortcuts; Russian, Kyrgyz (installer/lang, NSIS has none) and English. It refuses to
; run while the program runs, and upgrades in place: the old version's uninstaller removes the old
; files first, keeping the data. The uninstaller keeps the user's data (database, automatic
; backups, logs in %LOCALAPPDATA%\BalaKorgoo) unless the user asks to remove it.

Unicode true

!ifndef VERSION
  !error "VERSION is not defined (run installer/build.py)"
!endif
!ifndef DIST_DIR
  !error "DIST_DIR (the PyInstaller one-dir) is not defined (run installer/build.py)"
!endif
!define /ifndef OUT_FILE "BalaKorgoo-${VERSION}-setup.exe"
!define /ifndef GUI_EXE "BalaKorgoo.exe"
!define /ifndef CLI_EXE "bala-korgoo.exe"

!define PRODUCT "Bala Korgoo"
!define PUBLISHER "Bala Korgoo"
!define UNINSTALLER "uninstall.exe"
!define UNINST_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\BalaKorgoo"
!define DATA_DIR_NAME "BalaKorgoo" ; models.database.APP_NAME: platformdirs puts the data in %LOCALAPPDATA%\BalaKorgoo

; makensis works in the folder of this script: icons\ and lang\ are beside it.
Name "${PRODUCT}"
OutFile "${OUT_FILE}"
BrandingText "${PRODUCT} ${VERSION}"
ShowInstDetails show
ShowUninstDetails show

!ifdef NO_COMPRESSION
  SetCompress off ; the CI build only checks that the script compiles
!else
  SetCompressor /SOLID lzma
!endif

; Version resource of the installer itself.
VIProductVersion "${VERSION}.0"
VIAddVersionKey /LANG=0 "ProductName" "${PRODUCT}"
VIAddVersionKey /LANG=0 "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=0 "FileDescription" "${PRODUCT} ${VERSION} setup"
VIAddVersionKey /LANG=0 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "LegalCopyright" "GPL-3.0-or-later"

; --- for all users or for one ------------------------------------------------------------------

!define MULTIUSER_EXECUTIONLEVEL Highest
!define MULTIUSER_MUI
!define MULTIUSER_INSTALLMODE_COMMANDLINE
!define MULTIUSER_USE_PROGRAMFILES64
!define MULTIUSER_INSTALLMODE_INSTDIR "${PRODUCT}"
!define MULTIUSER_INSTALLMODE_INSTDIR_REGISTRY_KEY "${UNINST_KEY}"
!define MULTIUSER_INSTALLMODE_INSTDIR_REGISTRY_VALUENAME "InstallLocation"
!define MULTIUSER_INSTALLMODE_DEFAULT_REGISTRY_KEY "${UNINST_KEY}"
!define MULTIUSER_INSTALLMODE_DEFAULT_REGISTRY_VALUENAME "UninstallString"
!include MultiUser.nsh
!include MUI2.nsh
!include LogicLib.nsh
!include FileFunc.nsh
!include x64.nsh

; --- pages -------------------------------------------------------------------------------------

!define MUI_ICON "icons\bala-korgoo.ico"
!define MUI_UNICON "icons\bala-korgoo.ico"
!define MUI_ABORTWARNING
!define MUI_LANGDLL_ALLLANGUAGES
!define MUI_LANGDLL_REGISTRY_ROOT SHCTX
!define MUI_LANGDLL_REGISTRY_KEY "${UNINST_KEY}"
!define MUI_LANGDLL_REGISTRY_VALUENAME "InstallerLanguage"

!insertmacro MUI_PAGE_WELCOME
!insertmacro MULTIUSER_PAGE_INSTALLMODE
!define MUI_PAGE_CUSTOMFUNCTION_LEAVE RefuseWhileRunning
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH

!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES

; The first language is the default one.
!insertmacro MUI_LANGUAGE "Russian"
!insertmacro MUI_LANGUAGEEX "lang" "Kyrgyz"
!insertmacro MUI_LANGUAGE "English"

; --- our own strings ---------------------------------------------------------------------------

LangString SHORTCUT_NAME ${LANG_RUSSIAN} "Бала Коргоо"
LangString SHORTCUT_NAME ${LANG_KYRGYZ} "Бала Коргоо"
LangString SHORTCUT_NAME ${LANG_ENGLISH} "Bala Korgoo"

LangString MSG_RUNNING ${LANG_RUSSIAN} "Программа Бала Коргоо сейчас работает (окно программы или команда bala-korgoo).$\r$\n$\r$\nЗакройте её и нажмите «Повтор»."
LangString MSG_RUNNING ${LANG_KYRGYZ} "Бала Коргоо программасы азыр иштеп жатат (программанын терезеси же bala-korgoo буйругу).$\r$\n$\r$\nАны жаап, «Кайталоо» баскычын басыңыз."
LangString MSG_RUNNING ${LANG_ENGLISH} "Bala Korgoo is running (the program's window or a bala-korgoo command).$\r$\n$\r$\nClose it and press Retry."

LangString MSG_REMOVE_DATA ${LANG_RUSSIAN} "Удалить и данные программы этого пользователя Windows — базу данных, автоматические резервные копии и журналы в папке$\r$\n$DataDir?$\r$\n$\r$\nОни будут удалены безвозвратно. Резервные копии, сохранённые в другие папки, не затрагиваются.$\r$\n$\r$\nНажмите «Нет», чтобы сохранить данные (например, перед установкой новой версии)."
LangString MSG_REMOVE_DATA ${LANG_KYRGYZ} "Бул Windows колдонуучусунун программадагы маалыматтары да өчүрүлсүнбү — маалымат базасы, автоматтык камдык көчүрмөлөр жана журналдар, папка:$\r$\n$DataDir?$\r$\n$\r$\nАлар биротоло өчүрүлөт. Башка папкаларга сакталган камдык көчүрмөлөргө тийбейт.$\r$\n$\r$\nМаалыматтарды сактап калуу үчүн (мисалы, жаңы версияны орнотуудан мурун) «Жок» баскычын басыңыз."
LangString MSG_REMOVE_DATA ${LANG_ENGLISH} "Also remove this Windows user's data of the program — the database, automatic backups and logs in$\r$\n$DataDir?$\r$\n$\r$\nThey will be deleted for good. Backups saved in other folders are not touched.$\r$\n$\r$\nPress No to keep the data (for example before installing a new version)."

Var DataDir

; --- install -----------------------------------------------------------------------------------

Function .onInit
  ${If} ${RunningX64}
    SetRegView 64
  ${EndIf}
  !insertmacro MULTIUSER_INIT
  !insertmacro MUI_LANGDLL_DISPLAY
FunctionEnd

; Refuse to go on while a copy of the program in $INSTDIR runs: Windows keeps a running
; executable open, so it cannot be opened for writing.
!macro REFUSE_WHILE_RUNNING UN
  Function ${UN}RefuseWhileRunning
    retry:
    ${ForEach} $R1 0 1 + 1
      ${If} $R1 == 0
        StrCpy $R2 "$INSTDIR\${GUI_EXE}"
      ${Else}
        StrCpy $R2 "$INSTDIR\${CLI_EXE}"
      ${EndIf}
      ${If} ${FileExists} $R2
        ClearErrors
        FileOpen $R3 $R2 a
        ${If} ${Errors}
          MessageBox MB_RETRYCANCEL|MB_ICONEXCLAMATION "$(MSG_RUNNING)" /SD IDCANCEL IDRETRY retry
          Abort
        ${EndIf}
        FileClose $R3
      ${EndIf}
    ${Next}
  FunctionEnd
!macroend
!insertmacro REFUSE_WHILE_RUNNING ""
!insertmacro REFUSE_WHILE_RUNNING "un."

Section "Bala Korgoo" SecProgram
  SectionIn RO
  Call RefuseWhileRunning

  ; An older version here: its uninstaller removes its files (keeping the data), in place.
  ${If} ${FileExists} "$INSTDIR\${UNINSTALLER}"
    DetailPrint "$INSTDIR\${UNINSTALLER} /S"
    ExecWait '"$INSTDIR\${UNINSTALLER}" /S /$MultiUser.InstallMode _?=$INSTDIR'
    Delete "$INSTDIR\${UNINSTALLER}"
  ${EndIf}

  SetOutPath "$INSTDIR"
  File /r "${DIST_DIR}\*"
  WriteUninstaller "$INSTDIR\${UNINSTALLER}"

  CreateShortcut "$SMPROGRAMS\$(SHORTCUT_NAME).lnk" "$INSTDIR\${GUI_EXE}"
  CreateShortcut "$DESKTOP\$(SHORTCUT_NAME).lnk" "$INSTDIR\${GUI_EXE}"

  ; Add/Remove programs. SHCTX is HKLM for all users, HKCU for the current user.
  WriteRegStr SHCTX "${UNINST_KEY}" "DisplayName" "${PRODUCT}"
  WriteRegStr SHCTX "${UNINST_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr SHCTX "${UNINST_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr SHCTX "${UNINST_KEY}" "DisplayIcon" "$INSTDIR\${GUI_EXE}"
  WriteRegStr SHCTX "${UNINST_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr SHCTX "${UNINST_KEY}" "UninstallString" '"$INSTDIR\${UNINSTALLER}" /$MultiUser.InstallMode'
  WriteRegStr SHCTX "${UNINST_KEY}" "QuietUninstallString" '"$INSTDIR\${UNINSTALLER}" /$MultiUser.InstallMode /S'
  WriteRegStr SHCTX "${UNINST_KEY}" "ShortcutName" "$(SHORTCUT_NAME)"
  WriteRegDWORD SHCTX "${UNINST_KEY}" "NoModify" 1
  WriteRegDWORD SHCTX "${UNINST_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  IntFmt $0 "0x%08X" $0
  WriteRegDWORD SHCTX "${UNINST_KEY}" "EstimatedSize" "$0"
SectionEnd

; --- uninstall ---------------------------------------------------------------------------------

Function un.onInit
  ${If} ${RunningX64}
    SetRegView 64
  ${EndIf}
  !insertmacro MULTIUSER_UNINIT
  !insertmacro MUI_UNGETLANGUAGE
  Call un.RefuseWhileRunning
FunctionEnd

Section "Uninstall"
  ReadRegStr $0 SHCTX "${UNINST_KEY}" "ShortcutName"
  ${If} $0 != ""
    Delete "$SMPROGRAMS\$0.lnk"
    Delete "$DESKTOP\$0.lnk"
  ${EndIf}

  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\${GUI_EXE}"
  Delete "$INSTDIR\${CLI_EXE}"
  Delete "$INSTDIR\${UNINSTALLER}"
  RMDir "$INSTDIR" ; only if empty: nothing the user put there is removed
  DeleteRegKey SHCTX "${UNINST_KEY}"

  ; The data lives in the profile of each Windows user; this removes the current user's only,
  ; when asked (a silent uninstall, as in an upgrade, always keeps it).
  SetShellVarContext current
  StrCpy $DataDir "$LOCALAPPDATA\${DATA_DIR_NAME}"
  ${If} ${FileExists} "$DataDir\*.*"
    MessageBox MB_YESNO|MB_ICONEXCLAMATION|MB_DEFBUTTON2 "$(MSG_REMOVE_DATA)" /SD IDNO IDNO keep_data
    RMDir /r "$DataDir"
    keep_data:
  ${EndIf}
  ${If} $MultiUser.InstallMode == "AllUsers"
    SetShellVarContext all
  ${EndIf}
SectionEnd
