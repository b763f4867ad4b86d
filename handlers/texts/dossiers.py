"""Dossier status: looking a dossier up by its code, the ownership check, «Theo dõi».

What each state means and what to do next is said plainly and no further than
the portal says it: the office decides, so every answer leaves the way to it
(the one-stop desk, the portal where the dossier was filed).
"""

from __future__ import annotations

CMD_HOSO = "Tra cứu tình trạng hồ sơ theo mã hồ sơ"

# The citizen-facing name of each state (keys: handlers.dossier_states.DossierState values).
DS_STATE = {
    "received": "Đã tiếp nhận",
    "supplement_requested": "Yêu cầu bổ sung",
    "payment_requested": "Yêu cầu thanh toán",
    "financial_obligation": "Thực hiện nghĩa vụ tài chính",
    "rejected": "Từ chối",
    "stopped": "Dừng xử lý",
    "withdrawal_requested": "Yêu cầu rút",
    "processed": "Đã xử lý xong",
    "result_returned": "Đã trả kết quả",
}

# What the citizen does next, per state.
DS_NEXT = {
    "received": "Hồ sơ đang được cơ quan giải quyết. Anh/chị chưa cần làm gì thêm; kết quả trả theo ngày hẹn.",
    "supplement_requested": (
        "Cơ quan cần anh/chị bổ sung hồ sơ. Anh/chị mở hồ sơ trên cổng (hoặc VNeID) nơi đã nộp, "
        "bổ sung đúng giấy tờ được nêu rồi gửi lại; chưa rõ thì hỏi bộ phận một cửa."
    ),
    "payment_requested": (
        "Hồ sơ đang chờ anh/chị thanh toán phí, lệ phí. Anh/chị mở hồ sơ trên cổng (hoặc VNeID) "
        "và chọn thanh toán; sau khi trả, hồ sơ được xử lý tiếp."
    ),
    "financial_obligation": (
        "Hồ sơ đang chờ anh/chị thực hiện nghĩa vụ tài chính (nộp các khoản theo thông báo của cơ quan, "
        "ví dụ thông báo nộp thuế, lệ phí). Nộp xong, hồ sơ được xử lý tiếp; chưa rõ khoản nào thì hỏi "
        "bộ phận một cửa."
    ),
    "rejected": (
        "Hồ sơ không được giải quyết. Anh/chị xem lý do trong thông báo của cơ quan; cần giải thích thêm "
        "thì liên hệ bộ phận một cửa hoặc gửi phản ánh, kiến nghị."
    ),
    "stopped": (
        "Hồ sơ đã dừng xử lý. Anh/chị xem lý do trong thông báo của cơ quan hoặc hỏi bộ phận một cửa."
    ),
    "withdrawal_requested": (
        "Hồ sơ đang được rút theo yêu cầu. Nếu anh/chị không yêu cầu rút, xin liên hệ ngay bộ phận một cửa."
    ),
    "processed": (
        "Hồ sơ đã có kết quả. Anh/chị nhận kết quả theo cách đã chọn khi nộp: bản điện tử trên cổng, "
        "qua bưu điện hoặc tại nơi nộp."
    ),
    "result_returned": "Kết quả đã được trả. Xin cảm ơn anh/chị đã sử dụng dịch vụ công.",
}

DS_HEAD = "Hồ sơ {code}\nTình trạng: {state} (cập nhật {at})"
DS_PROCEDURE = "Thủ tục: {name}"
DS_DUE = "Hạn trả kết quả: {due}"
DS_NOTE_SUPPLEMENT = "Cần bổ sung: {note}"
DS_NOTE = "Ghi chú của cơ quan: {note}"
DS_NEXT_HEAD = "Việc tiếp theo: {next}"
DS_NO_DETAILS = (
    "Để bảo vệ thông tin của người nộp, tôi chỉ báo tình trạng. Chi tiết hồ sơ anh/chị xem trên cổng "
    "dịch vụ công nơi đã nộp, hoặc hỏi bộ phận một cửa."
)
DS_CHECK_OFFER = "Nếu đây là hồ sơ của anh/chị, xin xác nhận để xem chi tiết và việc cần làm tiếp."
DS_BTN_CHECK = "Xác nhận hồ sơ của tôi"
DS_BTN_FOLLOW = "Theo dõi hồ sơ này"
DS_BTN_UNFOLLOW = "Bỏ theo dõi"
DS_BTN_SUPPLEMENT_GUIDE = "Hướng dẫn bổ sung hồ sơ"
DS_BTN_PROCEDURE_DOCS = "Giấy tờ của thủ tục"
DS_BTN_PAYMENT_GUIDE = "Hướng dẫn thanh toán trực tuyến"
DS_BTN_RESULT_GUIDE = "Hướng dẫn nhận kết quả"
DS_BTN_PORTAL = "Cổng Dịch vụ công"

DS_UNKNOWN = (
    "Xin lỗi, tôi chưa có thông tin về hồ sơ {code}. Hệ thống một cửa của tỉnh chưa gửi cho tôi, hoặc "
    "mã chưa đúng. Anh/chị tra cứu trên cổng dịch vụ công nơi đã nộp ({portal}) hoặc hỏi {office} "
    "(điện thoại {hotline})."
)
DS_ASK_CODE = (
    "Xin anh/chị gửi mã hồ sơ, ví dụ: /hoso 000.00.17.H31-260105-0001. Mã hồ sơ có trên phiếu hẹn, "
    "trong tin nhắn hoặc thông báo VNeID khi nộp."
)
DS_BAD_CODE = "Xin lỗi, «{text}» không phải mã hồ sơ. {ask}"

DS_CHECK_ASK = (
    "Xin phép anh/chị nhập 4 số cuối của số điện thoại đã khai khi nộp hồ sơ {code}. "
    "Tôi chỉ dùng để đối chiếu, không lưu lại. Gõ «hủy» để thôi."
)
DS_CHECK_FORMAT = "Xin anh/chị gõ đúng 4 chữ số (ví dụ 6789), hoặc «hủy» để thôi."
DS_CHECK_WRONG = "Xin lỗi, 4 số này không khớp với số điện thoại của hồ sơ. Anh/chị còn {left} lần thử."
DS_CHECK_LOCKED = (
    "Xin lỗi, anh/chị đã nhập sai quá số lần cho phép. Để bảo vệ thông tin hồ sơ, tôi tạm khóa việc xác "
    "nhận hồ sơ {code} đến {until}. Anh/chị có thể hỏi bộ phận một cửa ({hotline})."
)
DS_CHECK_DOSSIER_LOCKED = (
    "Xin lỗi, đã có nhiều lần nhập sai 4 số cuối điện thoại của hồ sơ {code}, nên để bảo vệ thông tin "
    "của người nộp, tôi tạm khóa việc xác nhận hồ sơ này đến {until}. Anh/chị vẫn xem được tình trạng "
    "hồ sơ. Nếu đây là hồ sơ của anh/chị, xin liên hệ {office} (điện thoại {hotline}) để được hỗ trợ."
)
DS_CHECK_NO_PHONE = (
    "Hồ sơ {code} không có số điện thoại để tôi đối chiếu, nên tôi chỉ báo được tình trạng. "
    "Chi tiết anh/chị xem trên cổng nơi đã nộp hoặc hỏi bộ phận một cửa."
)
DS_CHECK_CANCELLED = "Đã thôi xác nhận hồ sơ."
DS_CHECK_OK = "Xin cảm ơn, đã xác nhận."

DS_FOLLOWING = (
    "Đã theo dõi hồ sơ {code}. Khi hồ sơ có tình trạng mới, tôi sẽ nhắn anh/chị một lần. "
    "Bỏ theo dõi bằng nút «Bỏ theo dõi» hoặc /hoso {code}."
)
DS_ALREADY_FOLLOWING = "Anh/chị đang theo dõi hồ sơ {code}."
DS_UNFOLLOWED = "Đã bỏ theo dõi hồ sơ {code}. Tôi sẽ không nhắn về hồ sơ này nữa."
DS_NOT_FOLLOWING = "Anh/chị không theo dõi hồ sơ {code}."
DS_FOLLOW_NEEDS_CHECK = "Xin anh/chị xác nhận đây là hồ sơ của mình trước khi theo dõi."

DS_NOTICE_HEAD = "Hồ sơ {code} có tình trạng mới: {state} (cập nhật {at})"
DS_NOTICE_FOOT = "Anh/chị nhận tin này vì đã bấm «Theo dõi». Bỏ theo dõi bằng nút dưới đây."

PV_DOSSIERS = "• Hồ sơ đang theo dõi: {n} ({codes})"
# In a Zalo template, where a follower who has not passed the check sees no detail.
DS_TEMPLATE_HIDDEN = "xem trên cổng dịch vụ công"
