def test_a_delivery_then_a_print_leaves_one_less(api):
    assert api.post("/offices/62.02/deliveries", {"quantity": 10}, as_="warehouse").status_code == 201
    response = api.post(
        "/offices/62.02/prints", {"outcome": "printed", "reason": "new_record"}, as_="operator"
    )
    assert response.status_code == 201, response.json
    assert response.json["on_hand"] == 9
    assert api.on_hand("62.02") == 9
