"""Direct answers to what was asked about a procedure (its fee, documents, office…), and their sources."""

from __future__ import annotations

ASPECT_FEE_NONE = "«{name}» không mất phí, lệ phí."
ASPECT_FEE_HEAD = "Phí, lệ phí «{name}» hiện nay:"
# a fee rule without an amount in the base: "{line}" is the fees section's line, "{unknown}" the card's words
ASPECT_FEE_LINE_UNKNOWN = "{line}: {unknown}"
ASPECT_FEE_MORE = "Các mức khác và trường hợp được miễn, giảm: xem mục «Phí, lệ phí»."
ASPECT_DOCUMENTS_HEAD = "Hồ sơ «{name}» gồm:"
ASPECT_DOCUMENTS_MORE = "… và {n} giấy tờ khác: xem mục «Giấy tờ cần chuẩn bị»."
ASPECT_WHERE = "Nơi giải quyết «{name}»: {agency}."
ASPECT_WHERE_ONLINE = "Anh/chị cũng có thể nộp trực tuyến trên {portals}."
ASPECT_TIME = "Thời hạn giải quyết «{name}»: {time}"
ASPECT_WHO = "Ai thực hiện «{name}»: {eligible}"
ASPECT_ELIGIBILITY = "Đối tượng, điều kiện của «{name}»: {eligible}"
ASPECT_ONLINE = {
    "full": "«{name}» làm trực tuyến toàn trình được, trên {portals}: anh/chị không phải đến nộp hồ sơ.",
    "partial": "«{name}» nộp trực tuyến được trên {portals}, nhưng vẫn cần đến {agency} một bước.",
    "none": "«{name}» hiện chưa làm trực tuyến được; anh/chị nộp trực tiếp tại {agency}.",
}
ASPECT_ONLINE_FIRST_STEPS = "Các bước đầu: {steps}. Xem đủ các bước ở mục «Các bước làm trực tuyến»."
ASPECT_FORMS = "Mẫu đơn, tờ khai của «{name}»: {forms}."
ASPECT_UNKNOWN = (
    "Về {aspect} của «{name}», tôi chưa có thông tin riêng đã kiểm chứng. Xin anh/chị xem thông tin chung "
    "dưới đây hoặc hỏi trực tiếp {agency}."
)
ASPECT_LABELS = {
    "fee": "phí, lệ phí",
    "documents": "giấy tờ",
    "where": "nơi nộp",
    "time": "thời hạn giải quyết",
    "who": "người được làm thay",
    "online": "việc làm trực tuyến",
    "deadline": "thời hạn đăng ký và mức phạt khi làm muộn",
    "validity": "thời hạn sử dụng của giấy tờ",
    "forms": "mẫu đơn, tờ khai",
    "result": "cách nhận kết quả",
    "eligibility": "đối tượng, điều kiện",
}
SOURCE_LINE = "Căn cứ: {basis} · Nguồn: {source} (kiểm tra ngày {checked})"
SOURCE_LINE_NO_BASIS = "Nguồn: {source} (kiểm tra ngày {checked})"
BTN_MORE = "Thêm lựa chọn…"
MORE_PROMPT = "Các mục khác về «{name}»:"
