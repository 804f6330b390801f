from tests import factories as f

def test_smoke(coord, org, hood_id, coordinator):
    v = f.make_volunteer(org, screening="registered", vog_status="not_requested", vog_issued_on=None)
    p = f.make_participant(org)
    for url in ["/coordinator/volunteers", f"/coordinator/volunteers/{v.id}", "/coordinator/participants",
                f"/coordinator/participants/{p.id}", f"/coordinator/participants/{p.id}/edit",
                "/coordinator/participants/new", "/coordinator/neighbourhoods", "/coordinator/neighbourhoods/new",
                "/coordinator/referrals", "/coordinator/referrals/new", "/coordinator/volunteers?lang=ar",
                "/coordinator/participants?status=xx&page=abc"]:
        r = coord.get(url)
        print(url, r.status_code)
        assert r.status_code in (200, 422), r.data.decode()[:3000]
