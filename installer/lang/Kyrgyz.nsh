;Language: Kyrgyz (1088), for the pages of the Bala Korgoo installer (NSIS ships no Kyrgyz).
;Strings of pages the installer does not use fall back to English.

!insertmacro LANGFILE "Kyrgyz" = "Кыргызча" "Kyrgyzcha"

!ifdef MUI_WELCOMEPAGE
  ${LangFileString} MUI_TEXT_WELCOME_INFO_TITLE "$(^NameDA) орнотуу чеберине кош келиңиз"
  ${LangFileString} MUI_TEXT_WELCOME_INFO_TEXT "Бул программа $(^NameDA) программасын компьютериңизге орнотот.$\r$\n$\r$\nОрнотуудан мурун иштеп жаткан программалардын баарын жабуу сунушталат.$\r$\n$\r$\n$_CLICK"
!endif

!ifdef MUI_UNWELCOMEPAGE
  ${LangFileString} MUI_UNTEXT_WELCOME_INFO_TITLE "$(^NameDA) өчүрүү чеберине кош келиңиз"
  ${LangFileString} MUI_UNTEXT_WELCOME_INFO_TEXT "Бул программа $(^NameDA) программасын компьютериңизден өчүрөт.$\r$\n$\r$\nӨчүрүүдөн мурун $(^NameDA) иштебей турганын текшериңиз.$\r$\n$\r$\n$_CLICK"
!endif

!ifdef MUI_DIRECTORYPAGE
  ${LangFileString} MUI_TEXT_DIRECTORY_TITLE "Орнотуу папкасын тандоо"
  ${LangFileString} MUI_TEXT_DIRECTORY_SUBTITLE "$(^NameDA) орнотула турган папканы тандаңыз."
!endif

!ifdef MUI_INSTFILESPAGE
  ${LangFileString} MUI_TEXT_INSTALLING_TITLE "Файлдарды көчүрүү"
  ${LangFileString} MUI_TEXT_INSTALLING_SUBTITLE "Күтө туруңуз, $(^NameDA) файлдары көчүрүлүүдө..."
  ${LangFileString} MUI_TEXT_FINISH_TITLE "Орнотуу аяктады"
  ${LangFileString} MUI_TEXT_FINISH_SUBTITLE "Орнотуу ийгиликтүү аяктады."
  ${LangFileString} MUI_TEXT_ABORT_TITLE "Орнотуу токтотулду"
  ${LangFileString} MUI_TEXT_ABORT_SUBTITLE "Орнотуу аягына чыккан жок."
!endif

!ifdef MUI_UNINSTFILESPAGE
  ${LangFileString} MUI_UNTEXT_UNINSTALLING_TITLE "Өчүрүү"
  ${LangFileString} MUI_UNTEXT_UNINSTALLING_SUBTITLE "Күтө туруңуз, $(^NameDA) файлдары өчүрүлүүдө..."
  ${LangFileString} MUI_UNTEXT_FINISH_TITLE "Өчүрүү аяктады"
  ${LangFileString} MUI_UNTEXT_FINISH_SUBTITLE "Программа ийгиликтүү өчүрүлдү."
  ${LangFileString} MUI_UNTEXT_ABORT_TITLE "Өчүрүү токтотулду"
  ${LangFileString} MUI_UNTEXT_ABORT_SUBTITLE "Өчүрүү аягына чыккан жок."
!endif

!ifdef MUI_FINISHPAGE
  ${LangFileString} MUI_TEXT_FINISH_INFO_TITLE "$(^NameDA) орнотуу чебери ишин аяктады"
  ${LangFileString} MUI_TEXT_FINISH_INFO_TEXT "$(^NameDA) компьютериңизге орнотулду.$\r$\n$\r$\nОрнотуу программасынан чыгуу үчүн $\"Даяр$\" баскычын басыңыз."
  ${LangFileString} MUI_TEXT_FINISH_INFO_REBOOT "$(^NameDA) орнотуусун аягына чыгаруу үчүн компьютерди кайра жүргүзүү керек. Азыр кайра жүргүзөсүзбү?"
!endif

!ifdef MUI_UNFINISHPAGE
  ${LangFileString} MUI_UNTEXT_FINISH_INFO_TITLE "$(^NameDA) өчүрүү чебери ишин аяктады"
  ${LangFileString} MUI_UNTEXT_FINISH_INFO_TEXT "$(^NameDA) компьютериңизден өчүрүлдү.$\r$\n$\r$\nЧыгуу үчүн $\"Даяр$\" баскычын басыңыз."
  ${LangFileString} MUI_UNTEXT_FINISH_INFO_REBOOT "$(^NameDA) өчүрүүнү аягына чыгаруу үчүн компьютерди кайра жүргүзүү керек. Азыр кайра жүргүзөсүзбү?"
!endif

!ifdef MUI_FINISHPAGE | MUI_UNFINISHPAGE
  ${LangFileString} MUI_TEXT_FINISH_REBOOTNOW "Ооба, компьютерди азыр кайра жүргүзүү"
  ${LangFileString} MUI_TEXT_FINISH_REBOOTLATER "Жок, кийинчерээк өзүм кайра жүргүзөм"
  ${LangFileString} MUI_TEXT_FINISH_RUN "$(^NameDA) &ачуу"
  ${LangFileString} MUI_TEXT_FINISH_SHOWREADME "ReadMe файлын &көрсөтүү"
  ${LangFileString} MUI_BUTTONTEXT_FINISH "&Даяр"
!endif

!ifdef MUI_UNCONFIRMPAGE
  ${LangFileString} MUI_UNTEXT_CONFIRM_TITLE "$(^NameDA) өчүрүү"
  ${LangFileString} MUI_UNTEXT_CONFIRM_SUBTITLE "$(^NameDA) компьютерден өчүрүлөт."
!endif

!ifdef MUI_ABORTWARNING
  ${LangFileString} MUI_TEXT_ABORTWARNING "$(^Name) орнотуусун чын эле токтотосузбу?"
!endif

!ifdef MUI_UNABORTWARNING
  ${LangFileString} MUI_UNTEXT_ABORTWARNING "$(^Name) өчүрүүнү чын эле токтотосузбу?"
!endif

!ifdef MULTIUSER_INSTALLMODEPAGE
  ${LangFileString} MULTIUSER_TEXT_INSTALLMODE_TITLE "Орнотуу ыкмасы"
  ${LangFileString} MULTIUSER_TEXT_INSTALLMODE_SUBTITLE "$(^NameDA) кайсы колдонуучулар үчүн орнотуларын тандаңыз."
  ${LangFileString} MULTIUSER_INNERTEXT_INSTALLMODE_TOP "$(^NameDA) программасын өзүңүз үчүн гана же бул компьютердин бардык колдонуучулары үчүн орнотууну тандаңыз. $(^ClickNext)"
  ${LangFileString} MULTIUSER_INNERTEXT_INSTALLMODE_ALLUSERS "Бардык колдонуучулар үчүн орнотуу"
  ${LangFileString} MULTIUSER_INNERTEXT_INSTALLMODE_CURRENTUSER "Учурдагы колдонуучу үчүн гана орнотуу"
!endif
