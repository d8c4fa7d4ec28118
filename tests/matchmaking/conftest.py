import pytest

from partners.models import Membership
from tests.factories import CapabilityFactory, MembershipFactory, NeedFactory, OrganisationFactory, UserFactory


@pytest.fixture
def market(db, taxonomy):
    """Two CEE cities with needs, two Chinese companies with capabilities, a same-side decoy."""
    from partners.models import Topic

    lighting = Topic.objects.get(code="energy.street-lighting")
    parking = Topic.objects.get(code="mobility.smart-parking")
    sofia = OrganisationFactory(name="Sofia", slug="sofia", country="BG", city="Sofia", kind="city")
    belgrade = OrganisationFactory(name="Belgrade", slug="belgrade", country="RS", city="Belgrade", kind="city")
    huawei = OrganisationFactory(name="Huawei", slug="huawei", country="CN", city="Shenzhen", kind="company")
    hikvision = OrganisationFactory(name="Hikvision", slug="hikvision", country="CN", city="Hangzhou", kind="company")
    decoy = OrganisationFactory(name="Budapest Lighting Ltd", slug="bp-lighting", country="HU", city="Budapest", kind="company")
    needs = {
        "lighting": NeedFactory(organisation=sofia, title="Умно улично осветление", language="bg",
                                description="LED улично осветление с дистанционно управление и димиране.",
                                budget_min_eur=200_000, budget_max_eur=900_000, stage="pilot"),
        "parking": NeedFactory(organisation=belgrade, title="Паметно паркирање", language="sr-Cyrl",
                               description="Сензори за слободна паркинг места и навођење возача.", stage="pilot"),
    }
    needs["lighting"].topics.set([lighting])
    needs["parking"].topics.set([parking])
    caps = {
        "lighting": CapabilityFactory(organisation=huawei, title="智慧路灯解决方案", language="zh-hans",
                                      description="单灯控制器与远程调光，LED智慧路灯。", maturity=9,
                                      price_min_eur=300_000, price_max_eur=2_000_000),
        "parking": CapabilityFactory(organisation=hikvision, title="智慧停车诱导系统", language="zh-hans",
                                     description="视频车位检测与停车诱导屏。", maturity=9),
        "decoy": CapabilityFactory(organisation=decoy, title="LED street lighting with remote dimming", language="en",
                                   description="Street lighting controllers.", maturity=9),
    }
    caps["lighting"].topics.set([lighting])
    caps["parking"].topics.set([parking])
    caps["decoy"].topics.set([lighting])
    admins = {}
    for key, org in (("sofia", sofia), ("huawei", huawei)):
        admins[key] = UserFactory(email=f"{key}-admin@example.org")
        MembershipFactory(user=admins[key], organisation=org, role=Membership.Role.ADMIN)
    return {"needs": needs, "caps": caps, "orgs": {"sofia": sofia, "huawei": huawei, "decoy": decoy}, "admins": admins}
