"""Demo organisations and people, from the actors the seed study names."""
from __future__ import annotations

from dataclasses import dataclass

DEMO_PASSWORD = "demo-pass-2026"


@dataclass(frozen=True)
class DemoOrganisation:
    key: str
    name: str
    kind: str
    country: str
    city: str
    website: str
    description: str
    language: str
    size: str = ""
    verified: bool = True


ORGANISATIONS: tuple[DemoOrganisation, ...] = (
    DemoOrganisation(
        "sofia", "Sofia Municipality", "city", "BG", "Sofia", "https://www.sofia.bg",
        "Столична община развива програма „Умна София“: интелигентно улично осветление, мобилност и отворени данни за гражданите.",
        "bg", "1000+",
    ),
    DemoOrganisation(
        "bdh", "Bulgarian Development Holding", "company", "BG", "Sofia", "https://bdbank.bg",
        "State-owned holding that co-develops large urban projects, including the Sofia Smart City complex with China Construction Third Engineering Bureau.",
        "en", "250-999",
    ),
    DemoOrganisation(
        "sarajevo", "City of Sarajevo", "city", "BA", "Sarajevo", "https://www.sarajevo.ba",
        "Grad Sarajevo priprema projekte pametnog i sigurnog grada u saradnji s partnerima iz Kine.",
        "bs", "1000+",
    ),
    DemoOrganisation(
        "ba-mct", "Ministry of Communications and Transport of Bosnia and Herzegovina", "government_agency", "BA",
        "Sarajevo", "http://www.mkt.gov.ba",
        "Signed joint statements on smart city and safe city projects with Huawei at the 2018 China–CEE innovation conference.",
        "en", "250-999",
    ),
    DemoOrganisation(
        "belgrade", "City of Belgrade", "city", "RS", "Belgrade", "https://www.beograd.rs",
        "Град Београд развија паметни саобраћај, дигиталну управу и заједнички центар за паметне градове Кине и ЦИЕ.",
        "sr-Cyrl", "1000+",
    ),
    DemoOrganisation(
        "podgorica", "Capital City of Podgorica", "city", "ME", "Podgorica", "https://podgorica.me",
        "Glavni grad Podgorica traži partnere za prve pilot-projekte pametnog grada: parking, javna rasvjeta, e-uprava.",
        "sr-Latn", "250-999",
    ),
    DemoOrganisation(
        "budapest", "Budapest Municipality", "city", "HU", "Budapest", "https://budapest.hu",
        "Budapest okosváros-stratégiája a közlekedés, az energiahatékonyság és a nyílt adatok fejlesztésére épül.",
        "hu", "1000+",
    ),
    DemoOrganisation(
        "hu-cn-ttc", "Hungarian–Chinese Technology Transfer Centre", "other", "HU", "Budapest", "",
        "Offices in Budapest and Chongqing; connects Hungarian and Chinese universities and technology companies.",
        "en", "10-49",
    ),
    DemoOrganisation(
        "binjiang", "Hangzhou Binjiang District", "city", "CN", "Hangzhou", "http://www.hhtz.gov.cn",
        "滨江区以数字经济和制造业“双引擎”为依托，打造中国—中东欧国家经贸合作示范区杭州联动区，支持企业向中东欧输出“硬件+软件+服务”一体化解决方案。",
        "zh-hans", "1000+",
    ),
    DemoOrganisation(
        "huawei", "Huawei Technologies", "company", "CN", "Shenzhen", "https://www.huawei.com",
        "ICT infrastructure and smart devices; smart city and safe city solutions deployed across Central and Eastern Europe.",
        "en", "1000+",
    ),
    DemoOrganisation(
        "hikvision", "Hikvision", "company", "CN", "Hangzhou", "https://www.hikvision.com",
        "海康威视：以视频为核心的物联网解决方案，智慧交通与城市安全。", "zh-hans", "1000+",
    ),
    DemoOrganisation(
        "dahua", "Dahua Technology", "company", "CN", "Hangzhou", "https://www.dahuasecurity.com",
        "Video-centric smart IoT solutions for city safety, traffic and buildings.", "en", "1000+",
    ),
    DemoOrganisation(
        "uniview", "Uniview", "company", "CN", "Hangzhou", "https://www.uniview.com",
        "宇视科技：视频监控与预筛查系统，已与15个中东欧国家开展合作。", "zh-hans", "1000+",
    ),
    DemoOrganisation(
        "eastcom", "Eastcom", "company", "CN", "Hangzhou", "https://www.eastcom.com",
        "东方通信：专网通信、金融电子与智慧城市信息系统。", "zh-hans", "1000+",
    ),
    DemoOrganisation(
        "cscec3", "China Construction Third Engineering Bureau", "company", "CN", "Wuhan", "https://www.cscec3b.com",
        "General contractor of the Sofia Smart City project (EUR 880 million, 1.56 million m²).", "en", "1000+",
    ),
    DemoOrganisation(
        "china-cee-institute", "China–CEE Institute", "think_tank", "HU", "Budapest", "https://china-cee.eu",
        "Think tank researching China–CEE cooperation; publishes working papers and evaluates joint projects.",
        "en", "10-49",
    ),
    DemoOrganisation(
        "zju-scrc", "Zhejiang University Smart City Research Centre", "university", "CN", "Hangzhou", "https://www.zju.edu.cn",
        "浙江大学智慧城市研究中心：城市大脑、数据互联互通标准与效果评估研究。", "zh-hans", "50-249",
    ),
    DemoOrganisation(
        "tirana", "Municipality of Tirana", "city", "AL", "Tirana", "https://www.tirana.al",
        "Bashkia e Tiranës kërkon partnerë për monitorimin e cilësisë së ajrit dhe transportin publik.",
        "sq", "1000+", verified=False,
    ),
)


@dataclass(frozen=True)
class DemoUser:
    email: str
    name: str
    role: str  # "superuser", "coordinator", or a membership role
    organisations: tuple[str, ...] = ()


USERS: tuple[DemoUser, ...] = (
    DemoUser("admin@demo.example.org", "Platform Administrator", "superuser"),
    DemoUser("coordinator@demo.example.org", "Mira Coordinator", "coordinator"),
    DemoUser("sofia@demo.example.org", "Ivana Petrova", "admin", ("sofia",)),
    DemoUser("belgrade@demo.example.org", "Marko Jovanović", "admin", ("belgrade", "podgorica")),
    DemoUser("binjiang@demo.example.org", "Li Wei", "admin", ("binjiang",)),
    DemoUser("huawei@demo.example.org", "Zhang Min", "admin", ("huawei",)),
    DemoUser("hikvision@demo.example.org", "Chen Jing", "admin", ("hikvision", "dahua", "uniview", "eastcom", "cscec3")),
    DemoUser("thinktank@demo.example.org", "Dr. Anna Kovács", "admin", ("china-cee-institute", "zju-scrc")),
    DemoUser("budapest@demo.example.org", "Péter Nagy", "admin", ("budapest", "hu-cn-ttc", "bdh", "sarajevo", "ba-mct")),
    DemoUser("member@demo.example.org", "Elena Dimitrova", "member", ("sofia",)),
    DemoUser("tirana@demo.example.org", "Arben Hoxha", "admin", ("tirana",)),
    DemoUser("visitor@demo.example.org", "Vesna Outsider", "none"),
)


@dataclass(frozen=True)
class DemoListing:
    kind: str  # "need" | "capability"
    organisation: str  # DemoOrganisation.key
    title: str
    description: str
    language: str
    extra: tuple = ()  # (field, value) pairs


LISTINGS: tuple[DemoListing, ...] = (
    DemoListing("need", "sofia", "Интелигентно улично осветление в район Младост",
                "Столична община търси доставчик на LED улично осветление с дистанционно управление и димиране за 6 000 осветителни тела.",
                "bg", (("budget_min_eur", 400_000), ("budget_max_eur", 1_200_000), ("stage", "pilot"), ("population_served", 110_000))),
    DemoListing("need", "belgrade", "Паметно паркирање у центру Београда",
                "Град тражи сензоре за слободна паркинг места, навођење возача и плаћање паркинга мобилном апликацијом.",
                "sr-Cyrl", (("budget_min_eur", 250_000), ("budget_max_eur", 700_000), ("stage", "pilot"))),
    DemoListing("need", "podgorica", "Prvi pilot e-uprave za građane",
                "Glavni grad traži portal elektronskih usluga: online zahtjevi, plaćanje taksi i praćenje predmeta.",
                "sr-Latn", (("budget_min_eur", 80_000), ("budget_max_eur", 250_000), ("stage", "pilot"))),
    DemoListing("need", "budapest", "Levegőminőség-mérő szenzorhálózat",
                "Budapest 150 pontos szenzorhálózatot keres a PM2,5 és a nitrogén-dioxid folyamatos méréséhez, nyílt adatokkal.",
                "hu", (("budget_min_eur", 300_000), ("budget_max_eur", 900_000), ("stage", "scale_up"))),
    DemoListing("need", "sarajevo", "Video nadzor i sigurni grad",
                "Grad Sarajevo planira centar za upravljanje video nadzorom javnih prostora uz zaštitu privatnosti građana.",
                "bs", (("budget_min_eur", 500_000), ("budget_max_eur", 2_000_000), ("stage", "pilot"))),
    DemoListing("need", "binjiang", "寻求中东欧水务合作伙伴：管网漏损检测",
                "滨江区希望与中东欧水务公司合作，引进声学漏损检测经验，降低供水管网漏损率。",
                "zh-hans", (("budget_min_eur", 150_000), ("budget_max_eur", 500_000), ("stage", "pilot"))),
    DemoListing("capability", "huawei", "Smart street lighting with NB-IoT control",
                "Single-lamp controllers, dimming schedules and a city IoT platform; deployed in several European capitals.",
                "en", (("capability_type", "solution"), ("maturity", 9), ("price_min_eur", 300_000), ("price_max_eur", 3_000_000),
                       ("references", "Deployed in over 30 cities"))),
    DemoListing("capability", "hikvision", "智慧停车诱导与车位检测系统",
                "视频车位检测、停车诱导屏与移动支付，适用于城市中心区路内与路外停车。",
                "zh-hans", (("capability_type", "product"), ("maturity", 9), ("price_min_eur", 100_000), ("price_max_eur", 900_000))),
    DemoListing("capability", "dahua", "Video surveillance platform for safe cities",
                "Video management and analytics for public-space safety with privacy masking; operations centre integration.",
                "en", (("capability_type", "solution"), ("maturity", 9), ("price_min_eur", 400_000), ("price_max_eur", 5_000_000))),
    DemoListing("capability", "eastcom", "电子政务一站式服务平台",
                "为城市政府提供网上办事大厅、电子证照和在线缴费，支持多语言界面。",
                "zh-hans", (("capability_type", "solution"), ("maturity", 8), ("price_min_eur", 60_000), ("price_max_eur", 400_000))),
    DemoListing("capability", "uniview", "空气质量与环境监测物联网",
                "微型空气质量监测站（PM2.5、NO2）与环境监测平台，数据开放接口。",
                "zh-hans", (("capability_type", "product"), ("maturity", 8), ("price_min_eur", 200_000), ("price_max_eur", 1_000_000))),
    DemoListing("capability", "budapest", "Vízszivárgás-észlelés akusztikus érzékelőkkel",
                "A Fővárosi Vízművek tapasztalata az akusztikus szivárgásérzékelésben és a hálózati veszteség csökkentésében.",
                "hu", (("capability_type", "expertise"), ("maturity", 9))),
)
