//go:build !noasm

#include "textflag.h"

// func foldSigns16(acc *int32, grad *float32, n int) (nan bool)
// acc[i] += sign(grad[i]) for n a multiple of 16 (0 for zero and NaN); reports whether a NaN
// was seen. AVX-512: a compare against zero gives the masks of the positive and negative
// lanes, a masked add and subtract of ones apply them.
TEXT ·foldSigns16(SB), NOSPLIT, $0-25
	MOVQ acc+0(FP), DI
	MOVQ grad+8(FP), SI
	MOVQ n+16(FP), CX
	VPXORD Z3, Z3, Z3           // zeros
	VPTERNLOGD $0xff, Z4, Z4, Z4 // all ones: -1 per lane
	VPSUBD Z4, Z3, Z5           // 0 - (-1) = 1 per lane
	KXORW K4, K4, K4            // NaN lanes seen
	TESTQ CX, CX
	JEQ done
loop:
	VMOVUPS (SI), Z0
	VCMPPS $0x1e, Z3, Z0, K1 // grad > 0 (ordered)
	VCMPPS $0x11, Z3, Z0, K2 // grad < 0 (ordered)
	VCMPPS $0x03, Z0, Z0, K3 // unordered: NaN
	KORW K3, K4, K4
	VMOVDQU32 (DI), Z1
	VPADDD Z5, Z1, K1, Z1
	VPSUBD Z5, Z1, K2, Z1
	VMOVDQU32 Z1, (DI)
	ADDQ $64, SI
	ADDQ $64, DI
	SUBQ $16, CX
	JNE loop
done:
	KORTESTW K4, K4
	SETNE nan+24(FP)
	VZEROUPPER
	RET
