"""reference data: roles, settings, audit chain head, administrative units, reference lists

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23

The data is frozen here, not imported from the application, so that this migration does
the same thing whatever later versions of the code look like. Reference rows get UUIDs
derived from their kind and code (uuid5), identical in every office, so that packages
from different offices name the same category or district by the same id.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REFERENCE_NAMESPACE = uuid.UUID("6d1f4a52-8c1e-4c9b-9a7e-0b5a3c2d1e10")
GENESIS_HASH = "0" * 64

ROLES = [
    # code, ru, ky, en
    ("administrator", "Администратор", "Администратор", "Administrator"),
    ("head", "Руководитель отдела", "Бөлүм башчысы", "Department head"),
    ("specialist", "Специалист ОЗД", "БКБ адиси", "Child-protection specialist"),
    ("social_worker", "Социальный работник", "Социалдык кызматкер", "Social worker"),
    ("kdd_secretary", "Секретарь КДД", "БИБК катчысы", "KDD secretary"),
    ("read_only", "Только просмотр", "Көрүү гана", "Read only"),
]

SETTINGS = {
    # Deadlines are not fixed by law (DOMAIN.md §2): sensible defaults an office can change.
    "deadline.initial_assessment_working_days": 3,
    "deadline.comprehensive_assessment_days": 30,
    "deadline.plan_review_months": 3,
    "deadline.referral_reply_days": 10,
    "deadline.kdd_decision_days": 30,
    "deadline.follow_up_months": 6,
    "security.max_failed_logins": 5,
    "security.lockout_minutes": 15,
    "documents.language": "both",
}

# (code, ru, ky, districts: [(suffix, ru, ky)], cities of oblast significance: [(ru, ky)])
# СОАТЕ codes as given in DOMAIN.md §5; units whose code was not found in a public source
# carry no code (code NULL) and are told apart by their name.
OBLASTS = [
    (
        "41702",
        "Иссык-Кульская область",
        "Ысык-Көл облусу",
        [
            ("205", "Ак-Суйский район", "Ак-Суу району"),
            ("210", "Жети-Огузский район", "Жети-Өгүз району"),
            ("215", "Иссык-Кульский район", "Ысык-Көл району"),
            ("220", "Тонский район", "Тоң району"),
            ("225", "Тюпский район", "Түп району"),
        ],
        [("г. Каракол", "Каракол ш."), ("г. Балыкчы", "Балыкчы ш.")],
    ),
    (
        "41703",
        "Джалал-Абадская область",
        "Жалал-Абад облусу",
        [
            ("204", "Ала-Букинский район", "Ала-Бука району"),
            ("207", "Базар-Коргонский район", "Базар-Коргон району"),
            ("211", "Аксыйский район", "Аксы району"),
            ("215", "Ноокенский район", "Ноокен району"),
            ("220", "Сузакский район", "Сузак району"),
            ("223", "Тогуз-Тороуский район", "Тогуз-Торо району"),
            ("225", "Токтогульский район", "Токтогул району"),
            ("230", "Чаткальский район", "Чаткал району"),
        ],
        [
            ("г. Джалал-Абад", "Жалал-Абад ш."),
            ("г. Таш-Кумыр", "Таш-Көмүр ш."),
            ("г. Майлуу-Суу", "Майлуу-Суу ш."),
            ("г. Кара-Куль", "Кара-Көл ш."),
        ],
    ),
    (
        "41704",
        "Нарынская область",
        "Нарын облусу",
        [
            ("210", "Ак-Талинский район", "Ак-Талаа району"),
            ("220", "Ат-Башинский район", "Ат-Башы району"),
            ("230", "Жумгальский район", "Жумгал району"),
            ("235", "Кочкорский район", "Кочкор району"),
            ("245", "Нарынский район", "Нарын району"),
        ],
        [("г. Нарын", "Нарын ш.")],
    ),
    (
        "41705",
        "Баткенская область",
        "Баткен облусу",
        [
            ("214", "Баткенский район", "Баткен району"),
            ("236", "Лейлекский район", "Лейлек району"),
            ("258", "Кадамжайский район", "Кадамжай району"),
        ],
        [("г. Баткен", "Баткен ш."), ("г. Кызыл-Кия", "Кызыл-Кыя ш."), ("г. Сулюкта", "Сүлүктү ш.")],
    ),
    (
        "41706",
        "Ошская область",
        "Ош облусу",
        [
            ("207", "Алайский район", "Алай району"),
            ("211", "Араванский район", "Араван району"),
            ("226", "Кара-Сууский район", "Кара-Суу району"),
            ("242", "Ноокатский район", "Ноокат району"),
            ("246", "Кара-Кульджинский район", "Кара-Кулжа району"),
            ("255", "Узгенский район", "Өзгөн району"),
            ("259", "Чон-Алайский район", "Чоң-Алай району"),
        ],
        [],
    ),
    (
        "41707",
        "Таласская область",
        "Талас облусу",
        [
            ("215", "Айтматовский район", "Айтматов району"),
            ("220", "Бакай-Атинский район", "Бакай-Ата району"),
            ("225", "Манасский район", "Манас району"),
            ("232", "Таласский район", "Талас району"),
        ],
        [("г. Талас", "Талас ш.")],
    ),
    (
        "41708",
        "Чуйская область",
        "Чүй облусу",
        [
            ("203", "Аламудунский район", "Аламүдүн району"),
            ("206", "Ысык-Атинский район", "Ысык-Ата району"),
            ("209", "Жайылский район", "Жайыл району"),
            ("213", "Кеминский район", "Кемин району"),
            ("217", "Московский район", "Москва району"),
            ("219", "Панфиловский район", "Панфилов району"),
            ("222", "Сокулукский район", "Сокулук району"),
            ("223", "Чуйский район", "Чүй району"),
        ],
        [("г. Токмок", "Токмок ш.")],
    ),
]
REPUBLIC_CITIES = [
    (
        "41711",
        "г. Бишкек",
        "Бишкек ш.",
        [
            ("Ленинский район г. Бишкек", "Бишкек ш. Ленин району"),
            ("Октябрьский район г. Бишкек", "Бишкек ш. Октябрь району"),
            ("Первомайский район г. Бишкек", "Бишкек ш. Биринчи Май району"),
            ("Свердловский район г. Бишкек", "Бишкек ш. Свердлов району"),
        ],
    ),
    ("41721", "г. Ош", "Ош ш.", []),
]
# Айтматовский район was called Кара-Бууринский before the renaming; the old unit is kept
# as history so that records made under it still point at a valid row.
RENAMED = [("41707215", "Кара-Бууринский район", "Кара-Буура району", "2022-12-31")]

# kind -> [(code, ru, ky, en)]
REFERENCE = {
    "tjs_category": [
        (
            "labour_migrants",
            "Дети трудовых мигрантов",
            "Эмгек мигранттарынын балдары",
            "Children of labour migrants",
        ),
        (
            "orphans",
            "Дети-сироты и дети, оставшиеся без попечения родителей",
            "Жетим балдар жана ата-энесинин камкордугусуз калган балдар",
            "Orphans and children left without parental care",
        ),
        (
            "disability",
            "Дети с ограниченными возможностями здоровья",
            "Ден соолугунун мүмкүнчүлүгү чектелген балдар",
            "Children with disabilities",
        ),
        (
            "violence_physical",
            "Дети — жертвы физического насилия",
            "Физикалык зомбулуктун курмандыгы болгон балдар",
            "Child victims of physical violence",
        ),
        (
            "violence_sexual",
            "Дети — жертвы сексуального насилия",
            "Сексуалдык зомбулуктун курмандыгы болгон балдар",
            "Child victims of sexual violence",
        ),
        (
            "violence_psychological",
            "Дети — жертвы психологического насилия",
            "Психологиялык зомбулуктун курмандыгы болгон балдар",
            "Child victims of psychological violence",
        ),
        (
            "neglect",
            "Дети, оставленные без надлежащего ухода (пренебрежение)",
            "Тийиштүү камкордуксуз калган балдар (көңүл бурбоо)",
            "Neglected children",
        ),
        (
            "conflict_with_law",
            "Дети в конфликте с законом",
            "Мыйзам менен чыр-чатакта турган балдар",
            "Children in conflict with the law",
        ),
        ("no_documents", "Дети без документов", "Документсиз балдар", "Children without documents"),
        (
            "not_in_school",
            "Дети, не посещающие школу",
            "Мектепке барбаган балдар",
            "Children not attending school",
        ),
        (
            "child_labour",
            "Дети, вовлечённые в наихудшие формы детского труда",
            "Балдар эмгегинин эң начар түрлөрүнө тартылган балдар",
            "Children in the worst forms of child labour",
        ),
        ("street_children", "Дети улицы", "Көчө балдары", "Street children"),
        (
            "low_income",
            "Дети из малообеспеченных семей",
            "Аз камсыз болгон үй-бүлөлөрдүн балдары",
            "Children from low-income families",
        ),
        ("other", "Другое", "Башка", "Other"),
    ],
    "child_outcome": [
        (
            "foster_family",
            "Устроен в замещающую (приёмную) семью",
            "Алмаштыруучу (асырап алуучу) үй-бүлөгө жайгаштырылды",
            "Placed in a foster family",
        ),
        (
            "rehab_day_centre",
            "Направлен в реабилитационный или дневной центр",
            "Реабилитациялык же күндүзгү борборго жөнөтүлдү",
            "Rehabilitation or day centre",
        ),
        (
            "returned_to_family",
            "Возвращён из учреждения в биологическую семью",
            "Мекемеден тубаса үй-бүлөсүнө кайтарылды",
            "Returned from an institution to the birth family",
        ),
        ("adopted", "Усыновлён (удочерён)", "Асырап алынды", "Adopted"),
        (
            "guardianship",
            "Установлена опека (попечительство)",
            "Камкордук (көзөмөлчүлүк) белгиленди",
            "Guardianship set up",
        ),
        (
            "documents_restored",
            "Восстановлено свидетельство о рождении / документы",
            "Туулгандыгы тууралуу күбөлүк / документтер калыбына келтирилди",
            "Birth certificate or documents restored",
        ),
    ],
    "family_outcome": [
        (
            "child_allowance",
            "Назначено пособие «Үй-бүлөгө көмөк»",
            "«Үй-бүлөгө көмөк» жөлөк пулу дайындалды",
            "Child allowance «Үй-бүлөгө көмөк» assigned",
        ),
        (
            "rehab_services",
            "Получены реабилитационные услуги",
            "Реабилитациялык кызматтар алынды",
            "Rehabilitation services received",
        ),
        ("employment", "Трудоустройство", "Жумушка орношуу", "Employment"),
        ("vocational_training", "Профессиональное обучение", "Кесиптик окутуу", "Vocational training"),
        ("passport", "Получен паспорт", "Паспорт алынды", "Passport obtained"),
        ("microcredit", "Получен микрокредит", "Микрокредит алынды", "Microcredit received"),
    ],
    "closure_reason": [
        ("goals_achieved", "Цели плана достигнуты", "Пландын максаттарына жетишилди", "Goals achieved"),
        (
            "moved_away",
            "Выбыл (передан в другой район)",
            "Көчүп кетти (башка районго өткөрүлдү)",
            "Moved away (transferred to another district)",
        ),
        ("reached_18", "Достиг 18 лет", "18 жашка толду", "Reached 18"),
        ("death", "Смерть", "Каза болду", "Death"),
        (
            "family_care",
            "Устроен на семейную форму воспитания",
            "Үй-бүлөлүк тарбиялоо формасына жайгаштырылды",
            "Placed in family-based care",
        ),
        ("other", "Другое", "Башка", "Other"),
    ],
    "service_type": [
        ("medical", "Медицинская помощь", "Медициналык жардам", "Medical care"),
        ("psychological", "Психологическая помощь", "Психологиялык жардам", "Psychological support"),
        (
            "education",
            "Образование (зачисление в школу, детский сад)",
            "Билим берүү (мектепке, бала бакчага кабыл алуу)",
            "Education (school or kindergarten enrolment)",
        ),
        ("legal", "Юридическая помощь", "Юридикалык жардам", "Legal aid"),
        ("documents", "Оформление документов", "Документтерди тариздөө", "Documents"),
        ("social_benefits", "Социальные пособия", "Социалдык жөлөк пулдар", "Social benefits"),
        ("material_aid", "Материальная помощь", "Материалдык жардам", "Material aid"),
        ("rehabilitation", "Реабилитация", "Реабилитация", "Rehabilitation"),
        ("day_care", "Дневной уход", "Күндүзгү кам көрүү", "Day care"),
        (
            "shelter",
            "Временное убежище (кризисный центр)",
            "Убактылуу баш калкалоочу жай (кризистик борбор)",
            "Temporary shelter (crisis centre)",
        ),
        (
            "police",
            "Меры инспекции по делам несовершеннолетних",
            "Жашы жете электердин иштери боюнча инспекциянын чаралары",
            "Juvenile inspector measures",
        ),
        ("employment", "Содействие занятости", "Жумуш менен камсыз кылууга көмөк", "Employment support"),
        ("other", "Другое", "Башка", "Other"),
    ],
    "relation_type": [
        ("mother", "Мать", "Апасы", "Mother"),
        ("father", "Отец", "Атасы", "Father"),
        ("stepmother", "Мачеха", "Өгөй энеси", "Stepmother"),
        ("stepfather", "Отчим", "Өгөй атасы", "Stepfather"),
        ("guardian", "Опекун (попечитель)", "Камкорчу", "Guardian"),
        ("grandmother", "Бабушка", "Чоң энеси", "Grandmother"),
        ("grandfather", "Дедушка", "Чоң атасы", "Grandfather"),
        ("brother", "Брат", "Агасы / иниси", "Brother"),
        ("sister", "Сестра", "Эжеси / карындашы / сиңдиси", "Sister"),
        ("aunt", "Тётя", "Таеже / жеңе", "Aunt"),
        ("uncle", "Дядя", "Таякеси / агасы", "Uncle"),
        ("child", "Ребёнок", "Бала", "Child"),
        ("other_relative", "Другой родственник", "Башка тууган", "Other relative"),
        ("other", "Другое", "Башка", "Other"),
    ],
    "report_source": [
        ("school", "Школа, социальный педагог", "Мектеп, социалдык педагог", "School, social pedagogue"),
        (
            "health",
            "Учреждение здравоохранения (ЦСМ, ГСВ, ФАП)",
            "Саламаттык сактоо мекемеси (ҮМБ, ҮДТ, ФАП)",
            "Health centre (ЦСМ, ГСВ, ФАП)",
        ),
        ("police", "Милиция (ИДН, ОВД)", "Милиция (ЖИИ, ИИБ)", "Police (juvenile inspector)"),
        ("aiyl_okmotu", "Айыл окмоту", "Айыл өкмөтү", "Aiyl okmotu"),
        ("neighbour", "Соседи", "Кошуналар", "Neighbours"),
        ("relative", "Родственники", "Туугандар", "Relatives"),
        ("self", "Ребёнок или семья сами", "Баланын же үй-бүлөнүн өзү", "The child or family themselves"),
        ("hotline_111", "Телефон доверия 111", "Ишеним телефону 111", "Hotline 111"),
        ("ngo", "НКО", "КЭУ", "NGO"),
        ("canvassing", "Подворный обход", "Үйлөрдү кыдыруу", "Household canvassing"),
        ("other", "Другое", "Башка", "Other"),
    ],
    "report_channel": [
        ("in_person", "Лично", "Жеке өзү", "In person"),
        ("phone", "По телефону", "Телефон аркылуу", "By phone"),
        ("letter", "Письмо", "Кат", "Letter"),
        ("email", "Электронная почта", "Электрондук почта", "Email"),
        ("hotline", "Телефон доверия", "Ишеним телефону", "Hotline"),
        ("other", "Другое", "Башка", "Other"),
    ],
    "risk_level": [
        ("low", "Низкий", "Төмөн", "Low"),
        ("medium", "Средний", "Орто", "Medium"),
        ("high", "Высокий", "Жогору", "High"),
    ],
    "organisation_type": [
        ("school", "Школа", "Мектеп", "School"),
        ("kindergarten", "Детский сад", "Бала бакча", "Kindergarten"),
        (
            "health",
            "Учреждение здравоохранения (ЦСМ, ГСВ, ФАП)",
            "Саламаттык сактоо мекемеси (ҮМБ, ҮДТ, ФАП)",
            "Health centre",
        ),
        ("police", "ИДН / ОВД", "ЖИИ / ИИБ", "Police juvenile inspectorate"),
        ("aiyl_okmotu", "Айыл окмоту", "Айыл өкмөтү", "Aiyl okmotu"),
        ("crisis_centre", "Кризисный центр", "Кризистик борбор", "Crisis centre"),
        ("day_centre", "Дневной центр", "Күндүзгү борбор", "Day centre"),
        ("ngo", "Некоммерческая организация", "Коммерциялык эмес уюм", "NGO"),
        ("zags", "ЗАГС", "ЖАБК", "Civil registry (ЗАГС)"),
        (
            "social_benefits",
            "Отдел социальных пособий",
            "Социалдык жөлөк пулдар бөлүмү",
            "Social-benefit unit",
        ),
        ("other", "Другое", "Башка", "Other"),
    ],
    "assessment_domain": [
        (
            "health",
            "Здоровье (в т.ч. инвалидность)",
            "Ден соолук (анын ичинде майыптык)",
            "Health (incl. disability)",
        ),
        (
            "development_education",
            "Развитие и образование",
            "Өнүгүү жана билим берүү",
            "Development and education",
        ),
        (
            "emotional_behavioural",
            "Эмоциональное состояние и поведение",
            "Эмоционалдык абал жана жүрүм-турум",
            "Emotional and behavioural",
        ),
        (
            "identity_documents",
            "Идентичность и документы",
            "Өздүк жана документтер",
            "Identity and documents",
        ),
        (
            "family_parenting",
            "Семейные отношения и родительский потенциал",
            "Үй-бүлөлүк мамилелер жана ата-энелик мүмкүнчүлүк",
            "Family relationships and parenting capacity",
        ),
        ("housing_income", "Жильё и доходы", "Турак жай жана киреше", "Housing and income"),
        ("social_network", "Социальное окружение", "Социалдык чөйрө", "Social network"),
        (
            "risk_factors",
            "Факторы риска (насилие, алкоголь, детский труд)",
            "Тобокелдик факторлору (зомбулук, алкоголь, балдар эмгеги)",
            "Risk factors (violence, alcohol, child labour)",
        ),
    ],
    "need_level": [
        ("none", "Нет потребности", "Муктаждык жок", "No need"),
        ("low", "Низкая", "Төмөн", "Low"),
        ("medium", "Средняя", "Орто", "Medium"),
        ("high", "Высокая", "Жогору", "High"),
    ],
}


def _ref_id(kind: str, code: str) -> uuid.UUID:
    return uuid.uuid5(REFERENCE_NAMESPACE, f"{kind}:{code}")


def _unit_id(key: str) -> uuid.UUID:
    return uuid.uuid5(REFERENCE_NAMESPACE, f"admin_unit:{key}")


def _admin_unit_rows(now: datetime) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []

    def add(
        key: str,
        code: str | None,
        level: str,
        ru: str,
        ky: str,
        parent: uuid.UUID | None,
        valid_to: str | None = None,
    ) -> uuid.UUID:
        unit_id = _unit_id(key)
        rows.append(
            {
                "id": unit_id,
                "code": code,
                "level": level,
                "parent_id": parent,
                "name_ru": ru,
                "name_ky": ky,
                "valid_from": None,
                "valid_to": date.fromisoformat(valid_to) if valid_to else None,
                "created_at": now,
                "updated_at": now,
                "version": 1,
            }
        )
        return unit_id

    for code, ru, ky, districts, cities in OBLASTS:
        oblast = add(code, code, "oblast", ru, ky, None)
        for suffix, d_ru, d_ky in districts:
            add(code + suffix, code + suffix, "district", d_ru, d_ky, oblast)
        for c_ru, c_ky in cities:
            add(f"name:{c_ru}", None, "city", c_ru, c_ky, oblast)
    for code, ru, ky, city_districts in REPUBLIC_CITIES:
        city = add(code, code, "republic_city", ru, ky, None)
        for d_ru, d_ky in city_districts:
            add(f"name:{d_ru}", None, "city_district", d_ru, d_ky, city)
    for code, ru, ky, valid_to in RENAMED:
        parent = _unit_id(code[:5])
        add(f"{code}:until:{valid_to}", code, "district", ru, ky, parent, valid_to)
    return rows


def upgrade() -> None:
    now = datetime.now(UTC).replace(tzinfo=None)
    units = sa.table(
        "admin_units",
        sa.column("id", sa.Uuid()),
        sa.column("code"),
        sa.column("level"),
        sa.column("parent_id", sa.Uuid()),
        sa.column("name_ru"),
        sa.column("name_ky"),
        sa.column("valid_from", sa.Date()),
        sa.column("valid_to", sa.Date()),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("updated_at", sa.DateTime(timezone=True)),
        sa.column("version"),
    )
    op.bulk_insert(units, _admin_unit_rows(now))
    items = sa.table(
        "reference_items",
        sa.column("id", sa.Uuid()),
        sa.column("kind"),
        sa.column("code"),
        sa.column("name_ru"),
        sa.column("name_ky"),
        sa.column("name_en"),
        sa.column("sort_order"),
        sa.column("active"),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("updated_at", sa.DateTime(timezone=True)),
        sa.column("version"),
    )
    op.bulk_insert(
        items,
        [
            {
                "id": _ref_id(kind, code),
                "kind": kind,
                "code": code,
                "name_ru": ru,
                "name_ky": ky,
                "name_en": en,
                "sort_order": i,
                "active": True,
                "created_at": now,
                "updated_at": now,
                "version": 1,
            }
            for kind, entries in REFERENCE.items()
            for i, (code, ru, ky, en) in enumerate(entries)
        ],
    )
    op.bulk_insert(
        sa.table(
            "roles",
            sa.column("code"),
            sa.column("name_ru"),
            sa.column("name_ky"),
            sa.column("name_en"),
            sa.column("sort_order"),
        ),
        [
            {"code": c, "name_ru": ru, "name_ky": ky, "name_en": en, "sort_order": i}
            for i, (c, ru, ky, en) in enumerate(ROLES)
        ],
    )
    op.bulk_insert(
        sa.table("settings", sa.column("key"), sa.column("value")),
        [{"key": k, "value": json.dumps(v)} for k, v in SETTINGS.items()],
    )
    op.bulk_insert(
        sa.table("audit_head", sa.column("id"), sa.column("last_id"), sa.column("last_hash")),
        [{"id": 1, "last_id": 0, "last_hash": GENESIS_HASH}],
    )


def downgrade() -> None:
    op.execute("DELETE FROM reference_items")
    op.execute("UPDATE admin_units SET parent_id = NULL")
    op.execute("DELETE FROM admin_units")
    op.execute("DELETE FROM audit_head")
    op.execute("DELETE FROM settings")
    op.execute("DELETE FROM roles")
