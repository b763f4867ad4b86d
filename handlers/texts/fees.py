"""Sentences about fees that change by date: today's rule, its end, the next rule, the timeline."""

FEE_UNTIL = " (đến hết ngày {date})"
FEE_NEXT = "; từ ngày {date}: {amount}"
FEE_LAPSED = (
    "• {fee}: mức thu đang được cập nhật. Anh/chị vui lòng hỏi {office} "
    "hoặc xem số tiền ở bước thanh toán trên cổng dịch vụ công trước khi nộp."
)
FEE_BASIS = ". Căn cứ: {basis}."
FEE_CONDITIONS = " ({conditions})"
FEE_CONDITION = {
    "online": "nộp trực tuyến",
    "in_person": "nộp trực tiếp",
    "vneid_level2": "dùng tài khoản định danh điện tử mức 2",
}
TIMELINE_HEADER = "Các mức thu theo thời gian (để cán bộ đối chiếu):"
TIMELINE_GROUP = "• {fee}{conditions}"
TIMELINE_RULE = "  {start} → {end}: {amount}{basis}; nguồn: {source}{checked}"
TIMELINE_OPEN_START = "không giới hạn"
TIMELINE_OPEN_END = "chưa có ngày kết thúc"
TIMELINE_AMOUNT_VARIES = "tùy trường hợp"
TIMELINE_NO_SOURCE = "chưa ghi nguồn"
TIMELINE_CHECKED = ", kiểm tra ngày {date}"
TIMELINE_TODAY = " ← đang áp dụng"
